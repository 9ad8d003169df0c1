"""Benchmark of the clerk's self-check (`xmk validate FILE`, SPEC §4). A script, not a test:

    .venv/bin/python bench/self_check.py [--work DIR] [--keep] [--engine gx|direct|both]

It writes the demo city's latest month (`xmk demo-data --months 1`) and times the
self-check of two workbooks:

  - a county's monthly workbook as the demo writes it, 220221_永吉县.xlsx (~235 rows);
  - the same workbook with every list's data rows repeated to ~2,000 rows (openpyxl;
    each copy's project names and codes made distinct, so that it is not all duplicates).

For each engine the suites are evaluated with (quality/suites.py ENGINES):

  - warm: in one process, quality/self_check.self_check after a first call, median of 5,
    and the part of it spent in suites.warehouse_failures;
  - portal: the same without the report, as the portal's check of an upload answers
    (portal/uploads.py: write_report=False, the account's receipt), median of 5;
  - cold: a whole `xmk validate FILE` process (cli.main, as .venv/bin/xmk runs it),
    median of 3, and whether it imported great_expectations, dagster or dbt.

Every call writes its report into a new folder, as an upload's check does: a report whose
failures and inputs are unchanged is not written again (publish/county_report/store.py), and
timing that would leave out the annotated workbook.

The engine is self_check's `engine` argument; in the `xmk validate` processes, self_check
is replaced by itself with the engine bound. It prints the figures beside SPEC §7's targets
for the demo county's workbook (~200 rows): under 2 s whole, under 0.3 s in the portal.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PYTHON = REPO / ".venv" / "bin" / "python"
MONTH = date(2026, 10, 1)  # the demo's last month (dagster_project/demo/generate.py)
COUNTY_FILE = "220221_永吉县.xlsx"
LARGE_ROWS = 2_000
WARM_RUNS, COLD_RUNS = 5, 3
HEAVY = ("great_expectations", "dagster", "dbt")
_CODE = re.compile(r"^(.*-)(\d{6})$")

# One `xmk validate` process with the engine bound; prints which heavy packages it loaded.
_COLD = """
import functools, json, sys
from dagster_project.quality import self_check
self_check.self_check = functools.partial(self_check.self_check, engine={engine!r})
from dagster_project.cli import main
code = main(["validate", {file!r}, "--period", "2026-10", "--out", {out!r}])
print("HEAVY " + json.dumps([m for m in {heavy!r} if m in sys.modules]), file=sys.stderr)
sys.exit(code)
"""


def demo_workbooks(work: Path) -> tuple[Path, dict[str, Path]]:
    """The demo's landing folder and {label: workbook} of the two sizes."""
    raw = work / "raw"
    if not (raw / MONTH.strftime("%Y-%m") / COUNTY_FILE).is_file():
        subprocess.run(
            [PYTHON, "-m", "dagster_project.cli", "demo-data", "--months", "1", "--out", raw],
            check=True,
            cwd=REPO,
            stdout=subprocess.DEVNULL,
        )
    small = raw / MONTH.strftime("%Y-%m") / COUNTY_FILE
    # Outside raw/, so that it is checked alone; the period is given (--period).
    large = work / "large" / f"{small.stem}_x.xlsx"
    large.parent.mkdir(exist_ok=True)
    rows = repeat_rows(small, large, LARGE_ROWS)
    return raw, {f"{data_rows(small)} rows": small, f"{rows} rows": large}


def _list_sheets(wb):
    """(sheet, header row, first data row) of the lists: the sheets whose A column says 序号."""
    for ws in wb.worksheets:
        for row in range(1, 8):
            if ws.cell(row, 1).value == "序号":
                yield ws, row, row + 1
                break


def data_rows(path: Path) -> int:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return sum(ws.max_row - first + 1 for ws, _header, first in _list_sheets(wb))
    finally:
        wb.close()


def repeat_rows(source: Path, target: Path, wanted: int) -> int:
    """Write `source` with each list's data rows repeated until the workbook holds about
    `wanted` data rows; return how many it holds."""
    import openpyxl

    wb = openpyxl.load_workbook(source)
    sheets = list(_list_sheets(wb))
    have = sum(ws.max_row - first + 1 for ws, _h, first in sheets)
    copies = max(1, round(wanted / have))
    total = 0
    for ws, header, first in sheets:
        last = ws.max_row
        names = {str(c.value or ""): c.column for c in ws[header]}
        name_col = next((col for h, col in names.items() if h.startswith("项目名称")), None)
        code_col = next((col for h, col in names.items() if h.startswith("项目代码")), None)
        original = [[c.value for c in row] for row in ws.iter_rows(min_row=first, max_row=last)]
        out = last + 1
        for k in range(1, copies):
            for values in original:
                for col, value in enumerate(values, start=1):
                    if col == 1 and isinstance(value, int):
                        value = value + k * len(original)
                    elif col == name_col and isinstance(value, str):
                        value = f"{value}（{k}）"
                    elif col == code_col and isinstance(value, str) and _CODE.match(value):
                        head, digits = _CODE.match(value).groups()
                        value = f"{head}{(int(digits) + k * 7919) % 1_000_000:06d}"
                    ws.cell(out, col, value)
                out += 1
        total += out - first
    wb.save(target)
    return total


def warm(raw: Path, files: dict[str, Path], engine: str, out: Path) -> dict[str, dict]:
    """In-process medians of self_check, of its warehouse_failures, and of the portal's
    check (no report), after a first call."""
    from dagster_project.quality import self_check, suites

    spent: list[float] = []

    def timed_failures(*args, **kwargs):
        start = time.perf_counter()
        try:
            return suites.warehouse_failures(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - start)

    self_check.warehouse_failures = timed_failures
    figures = {}
    for label, path in files.items():
        first_start = time.perf_counter()
        result = self_check.self_check(path, _fresh(out), MONTH, raw, engine=engine)
        first = time.perf_counter() - first_start
        totals = []
        spent.clear()
        for _ in range(WARM_RUNS):
            folder = _fresh(out)
            start = time.perf_counter()
            self_check.self_check(path, folder, MONTH, raw, engine=engine)
            totals.append(time.perf_counter() - start)
        validate = statistics.median(spent)
        portal = [
            _portal_check(self_check.self_check, path, raw, engine, _fresh(out))
            for _ in range(WARM_RUNS)
        ]
        figures[label] = {
            "first": first,
            "median": statistics.median(totals),
            "validate": validate,
            "portal": statistics.median(wall for wall, _cpu in portal),
            "portal_cpu": statistics.median(cpu for _wall, cpu in portal),
            "failures": len(result.failures),
        }
    return figures


def _portal_check(check, path: Path, raw: Path, engine: str, folder: Path) -> tuple:
    """Seconds (wall, and CPU of this process) of one check as portal/uploads.py makes it:
    the upload stored under its submission's folder, checked with the account's receipt,
    no report. The CPU time says how much of the wall time other processes took."""
    stored = folder / "raw" / MONTH.strftime("%Y-%m") / path.name
    stored.parent.mkdir(parents=True)
    shutil.copy2(path, stored)
    region_code = path.name.split("_")[0]
    start, cpu = time.perf_counter(), time.process_time()
    check(
        stored,
        folder,
        MONTH,
        raw,
        period_folder=MONTH.strftime("%Y-%m"),
        submitter=(f"county{region_code}", region_code),
        write_report=False,
        engine=engine,
    )
    return time.perf_counter() - start, time.process_time() - cpu


def cold(raw: Path, files: dict[str, Path], engine: str, out: Path) -> dict[str, dict]:
    """Medians of whole `xmk validate` processes: wall time, and the process's CPU time."""
    env = {**os.environ, "XMK_RAW_DIR": str(raw)}
    figures = {}
    for label, path in files.items():
        times, cpus, heavy = [], [], []
        for _ in range(COLD_RUNS):
            folder = _fresh(out)
            code = _COLD.format(engine=engine, file=str(path), out=str(folder), heavy=HEAVY)
            start, cpu = time.perf_counter(), _children_cpu()
            done = subprocess.run(
                [PYTHON, "-c", code], cwd=REPO, env=env, capture_output=True, text=True
            )
            times.append(time.perf_counter() - start)
            cpus.append(_children_cpu() - cpu)
            if done.returncode not in (0, 1):
                raise RuntimeError(f"xmk validate failed:\n{done.stderr[-2000:]}")
            line = [x for x in done.stderr.splitlines() if x.startswith("HEAVY ")][-1]
            heavy = json.loads(line.removeprefix("HEAVY "))
        figures[label] = {
            "median": statistics.median(times),
            "cpu": statistics.median(cpus),
            "heavy": heavy,
        }
    return figures


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _fresh(out: Path) -> Path:
    """A new, empty report folder under `out`."""
    out.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="report-", dir=out))


def import_time() -> float:
    """Seconds to import quality/self_check.py in a fresh process (median of 3)."""
    code = (
        "import time; t = time.perf_counter(); import dagster_project.quality.self_check; "
        "print(time.perf_counter() - t)"
    )
    runs = [
        float(subprocess.run([PYTHON, "-c", code], cwd=REPO, capture_output=True, text=True).stdout)
        for _ in range(3)
    ]
    return statistics.median(runs)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", type=Path, help="working folder (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the working folder")
    parser.add_argument("--engine", choices=["gx", "direct", "both"], default="both")
    args = parser.parse_args(argv)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    work = args.work or Path(tempfile.mkdtemp(prefix="xmk-bench-self-check-"))
    work.mkdir(parents=True, exist_ok=True)
    engines = ["gx", "direct"] if args.engine == "both" else [args.engine]
    print(f"working in {work}; load average {os.getloadavg()[0]:.2f}", flush=True)
    print(
        "SPEC §7 for a county's workbook of ~200 rows (the first size): whole process "
        "(cold) < 2 s, the portal's check < 0.3 s",
        flush=True,
    )
    try:
        raw, files = demo_workbooks(work)
        print(f"import of quality/self_check.py: {import_time():.2f} s", flush=True)
        for engine in engines:
            out = work / f"out-{engine}"
            for label, f in cold(raw, files, engine, out).items():
                heavy = ", ".join(f["heavy"]) or "none of " + "/".join(HEAVY)
                print(
                    f"cold  {engine:6} {label:>10}: {f['median']:5.2f} s "
                    f"(median of {COLD_RUNS}; CPU {f['cpu']:.2f} s; imported {heavy})",
                    flush=True,
                )
        # In-process last: GX, once imported, stays in this process.
        for engine in engines:
            out = work / f"out-{engine}"
            for label, f in warm(raw, files, engine, out).items():
                print(
                    f"warm  {engine:6} {label:>10}: {f['median']:5.2f} s "
                    f"(median of {WARM_RUNS}; warehouse_failures {f['validate']:.2f} s; "
                    f"first call {f['first']:.2f} s; {f['failures']} failures)",
                    flush=True,
                )
                print(
                    f"portal {engine:5} {label:>10}: {f['portal']:5.2f} s "
                    f"(median of {WARM_RUNS}; the upload's check, no report; "
                    f"CPU {f['portal_cpu']:.2f} s)",
                    flush=True,
                )
    finally:
        if not args.keep and not args.work:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
