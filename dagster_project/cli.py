"""The `xmk` command (SPEC §8)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DAGSTER_TELEMETRY_DISABLED", "true")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    args = _parser().parse_args(argv)
    return args.func(args)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="xmk", description="项目库 — the city's project warehouse")
    sub = p.add_subparsers(required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="the nightly job: ingest raw/, build, check, publish")
    run.add_argument("--raw", help="landing folder (env XMK_RAW_DIR, default ./raw)")
    run.add_argument("--warehouse", help="warehouse folder (env XMK_WAREHOUSE_DIR)")
    run.add_argument("--out", help="reports and bulletins (env XMK_OUT_DIR)")
    run.set_defaults(func=_run)

    tpl = sub.add_parser("template", help="write the blank official submission workbook")
    tpl.add_argument("--out", default="项目库报送模板.xlsx", help="file to write")
    tpl.set_defaults(func=_template)

    demo = sub.add_parser("demo-data", help="generate the demo city's submissions")
    demo.add_argument("--scale", choices=["city", "province"], default="city")
    demo.add_argument("--months", type=int, default=14)
    demo.add_argument("--seed", type=int, default=20231)
    demo.add_argument("--out", default=None, help="folder to write (default: XMK_RAW_DIR or ./raw)")
    demo.add_argument(
        "--corrected",
        action="store_true",
        help="also write the corrected re-submissions for the latest month's defects",
    )
    demo.set_defaults(func=_demo)
    return p


def _run(args) -> int:
    from dagster_project.orchestration.run import run_nightly

    return run_nightly(args.raw, args.warehouse, args.out)


def _template(args) -> int:
    from dagster_project.template.workbook import write_template

    path = write_template(Path(args.out))
    print(f"template written: {path}")
    return 0


def _demo(args) -> int:
    from dagster_project.demo.generate import generate_demo
    from dagster_project.settings import resolve_paths

    out = Path(args.out) if args.out else resolve_paths().raw_dir
    summary = generate_demo(
        out, scale=args.scale, months=args.months, seed=args.seed, corrected=args.corrected
    )
    print(summary.describe() if hasattr(summary, "describe") else summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
