"""Benchmark of the nightly run at province scale (SPEC §7). A script, not a test:

    uv run python bench/run_bench.py [--work DIR] [--keep]

It generates the demo province and times, each as a separate `xmk run` process on a
Dagster instance of its own (the repository's dagster_home/dagster.yaml in a temporary
DAGSTER_HOME, so the step timings can be read back):

  (a) the full run from an empty warehouse, 14 months;
  (b) the nightly run again with nothing new;
  (c) the run after one new month arrives (the same files without the last month's,
      run, then the last month's monthly and weekly files land);
  (d) a naive reference on the files of (a): pandas.read_excel(engine="openpyxl") for
      every sheet of every workbook (CSV with pandas.read_csv in its encoding),
      concatenated and written to DuckDB, nothing else;
  (e) the no-change run with 28 months of history.

For each: wall time, rows read per second, peak memory of the whole process tree (sum of
the proportional set size of every process, sampled), CPU time, and the load average of
the machine before it started (other work on the machine slows every figure). It prints
the figures and writes bench/results.md and bench/results.json.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
MONTHS, HISTORY_MONTHS = 14, 28
LAST_MONTH = date(2026, 10, 1)  # the demo's last month (dagster_project/demo/generate.py)

TARGETS = {
    "a": ("full run from empty < 3 min", lambda r: r["a"].seconds < 180),
    "ratio": (
        "ingestion >= 8x faster than the naive reference",
        lambda r: r["d"].seconds / r["a"].steps["ingest_raw_files"] >= 8,
    ),
    "b": ("nightly with nothing new < 45 s", lambda r: r["b"].seconds < 45),
    "c": ("one new month < 90 s", lambda r: r["c"].seconds < 90),
    "memory": (
        "peak memory of the runs (a), (b), (c), (e) < 2 GB",
        lambda r: max(r[k].peak_mb for k in "abce") < 2048,
    ),
    "e": (
        "no-change with 28 months within 1.2x of (b)",
        lambda r: r["e"].seconds <= 1.2 * r["b"].seconds,
    ),
}


@dataclass
class Measure:
    label: str
    seconds: float
    peak_mb: float
    cpu_seconds: float
    load_before: float
    exit_code: int
    rows: int = 0  # rows read from the files this measure read
    steps: dict[str, float] = field(default_factory=dict)  # step key -> seconds
    note: str = ""

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


# --------------------------------------------------------------------------- measuring


class TreeMemory:
    """Peak of the summed proportional set size (PSS) of a process and its descendants,
    sampled every 0.2 s: what the machine actually has to hold, shared pages counted
    once."""

    def __init__(self, pid: int):
        self.pid, self.peak_kb = pid, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self):
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, sum(_pss_kb(p) for p in _tree(self.pid)))
            self._stop.wait(0.2)


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure(label: str, command: list[str], env: dict | None = None, log: Path | None = None):
    """Run a command as a process and measure it; returns (Measure, its stdout)."""
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with open(log or os.devnull, "w") as err:
        proc = subprocess.Popen(
            command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=err, text=True
        )
        with TreeMemory(proc.pid) as memory:
            out, _ = proc.communicate()
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Measure(label, seconds, memory.peak_kb / 1024, cpu, load, proc.returncode), out


# --------------------------------------------------------------------------- the runs


def xmk_run(label: str, raw: Path, site: Path) -> Measure:
    """`xmk run` on raw/, with the warehouse, outputs and Dagster instance under site/."""
    home = site / "dagster_home"
    if not home.exists():
        home.mkdir(parents=True)
        shutil.copy(REPO / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    command = [sys.executable, "-m", "dagster_project.cli", "run", "--raw", str(raw)]
    command += ["--warehouse", str(site / "warehouse"), "--out", str(site / "out")]
    result, out = measure(label, command, env, site / f"{label}.stderr.log")
    result.steps = _last_run_steps(home)
    result.rows = _rows_read(out)
    # 3: the publication gate held the month back (the demo's planted errors do): the run
    # itself went through.
    if result.exit_code not in (0, 3):
        raise SystemExit(f"{label}: xmk run failed ({result.exit_code}):\n{out}")
    result.note = "gate blocked publication (expected with the demo)" if result.exit_code else ""
    print(f"  {label}: {result.seconds:.1f} s, {result.peak_mb:.0f} MB", flush=True)
    return result


def _last_run_steps(home: Path) -> dict[str, float]:
    code = (
        "import json, dagster as dg\n"
        "i = dg.DagsterInstance.get()\n"
        "run = i.get_run_records(limit=1)[0].dagster_run\n"
        "print(json.dumps({s.step_key: s.end_time - s.start_time\n"
        "    for s in i.get_run_step_stats(run.run_id) if s.end_time and s.start_time}))\n"
    )
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    return {k: round(v, 1) for k, v in json.loads(out).items()}


def _rows_read(summary: str) -> int:
    for line in summary.splitlines():
        if line.startswith("rows:"):
            return int(line.split()[1])
    return 0


def generate(raw: Path, scale: str, months: int) -> float | None:
    """The demo's files (kept between runs of the script with --work: the generator
    writes the same bytes for the same arguments); None when they were already there."""
    if raw.exists():
        return None
    from dagster_project.demo.generate import generate_demo

    started = time.perf_counter()
    generate_demo(raw, scale=scale, months=months)
    return time.perf_counter() - started


def _generated(seconds: float | None, months: int, scale: str) -> str:
    if seconds is None:
        return (
            f"* The {months}-month {scale} files were already in the working folder (the "
            "generator writes the same files for the same arguments); not generated again."
        )
    return f"* Generating the {months}-month {scale} took {seconds:.0f} s (not part of any figure)."


def fresh(site: Path) -> None:
    """No warehouse, outputs or Dagster instance left from an earlier run of the script."""
    for name in ("warehouse", "out", "dagster_home"):
        shutil.rmtree(site / name, ignore_errors=True)


def without_last_month(raw: Path, into: Path) -> list[Path]:
    """A copy of raw/ (hard links: same bytes, same received times) without the last
    month's monthly and weekly files; returns the files held back."""
    held_back = []
    for path in sorted(raw.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(raw)
        if _in_last_month(rel.parts[0]):
            held_back.append(rel)
            continue
        (into / rel).parent.mkdir(parents=True, exist_ok=True)
        os.link(path, into / rel)
    return held_back


def _in_last_month(folder: str) -> bool:
    if folder == f"{LAST_MONTH:%Y-%m}":
        return True
    if "-W" in folder:
        # A week belongs to the month of its Thursday (ISO; the pipeline's rule too).
        year, week = folder.split("-W")
        thursday = date.fromisocalendar(int(year), int(week), 4)
        return (thursday.year, thursday.month) == (LAST_MONTH.year, LAST_MONTH.month)
    return False


# --------------------------------------------------------------------------- (d)


def naive_reference(raw: Path, db: Path) -> dict:
    """Every sheet of every file read with pandas (openpyxl), concatenated, written to
    DuckDB. No header detection, no types, no validation: the floor of what "reading
    the files into a database" costs without the engineering."""
    import duckdb
    import pandas as pd

    frames, files = [], 0
    for path in sorted(raw.rglob("*")):
        suffix = path.suffix.lower()
        if not path.is_file() or path.parts[len(raw.parts)] == "reference":
            continue
        if suffix == ".xlsx":
            sheets = pd.read_excel(path, sheet_name=None, engine="openpyxl", header=None, dtype=str)
        elif suffix == ".csv":
            data = path.read_bytes()
            for encoding in ("utf-8-sig", "gb18030"):
                try:
                    text = data.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                continue
            # Title rows above the header are narrower than the table: name every column.
            width = max(len(row) for row in csv.reader(io.StringIO(text)))
            frame = pd.read_csv(io.StringIO(text), header=None, dtype=str, names=range(width))
            sheets = {path.stem: frame}
        else:
            continue
        files += 1
        for name, frame in sheets.items():
            frame.columns = [f"c{i}" for i in range(frame.shape[1])]
            frames.append(frame.assign(source_file=str(path.relative_to(raw)), sheet=name))
    everything = pd.concat(frames, ignore_index=True)
    db.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db))
    try:
        con.register("everything", everything)
        con.execute("create or replace table naive as select * from everything")
        rows = con.execute("select count(*) from naive").fetchone()[0]
    finally:
        con.close()
    return {"files": files, "sheets": len(frames), "rows": rows}


def run_naive(raw: Path, site: Path) -> Measure:
    command = [sys.executable, str(Path(__file__)), "naive", str(raw), str(site / "naive.duckdb")]
    result, out = measure("d", command, log=site / "d.stderr.log")
    if result.exit_code:
        raise SystemExit(f"naive reference failed ({result.exit_code}): see {site}/d.stderr.log")
    counts = json.loads(out.strip().splitlines()[-1])
    result.rows = counts["rows"]
    result.note = f"{counts['files']} files, {counts['sheets']} sheets"
    print(f"  d: {result.seconds:.1f} s, {result.peak_mb:.0f} MB", flush=True)
    return result


# --------------------------------------------------------------------------- report


def labels(extra: dict) -> dict[str, str]:
    return {
        "a": f"(a) full run from empty, {extra['months']} months",
        "b": "(b) nightly with nothing new",
        "c": "(c) one new month arrives",
        "d": "(d) naive reference (pandas + openpyxl → DuckDB)",
        "e": f"(e) nothing new, {extra['history']} months of history",
    }


def report(results: dict[str, Measure], extra: dict) -> str:
    ingest = results["a"].steps.get("ingest_raw_files", 0.0)
    ratio = results["d"].seconds / ingest if ingest else 0.0
    lines = [
        f"# Benchmark: the nightly run at {extra['scale']} scale",
        "",
        f"Measured {extra['when']} on {extra['machine']} ({extra['cores']} cores), "
        f"`bench/run_bench.py`. Demo {extra['scale']}: {extra['files_14']} files, "
        f"{results['a'].rows:,} rows read ({extra['months']} months); {extra['files_28']} "
        f"files for {extra['history']} months.",
        "",
        "| run | wall s | rows/s | peak memory MB | CPU s | load before | exit |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for key, label in labels(extra).items():
        m = results[key]
        lines.append(
            f"| {label} | {m.seconds:.1f} | {_rate(m)} | {m.peak_mb:,.0f} "
            f"| {m.cpu_seconds:.0f} | {m.load_before:.2f} | {m.exit_code} |"
        )
    lines += [
        "",
        "rows/s: rows read from the files by this run (ingestion's count; (d): rows "
        "written), over the wall time of the whole run. Peak memory: the largest sum of "
        "the proportional set size of all processes of the run (Dagster, the parsing "
        "workers, dbt). Exit 3: the run went through and the publication gate held the "
        "month back, as the demo's planted errors require.",
        "",
        f"Ingestion in (a): {ingest:.1f} s for {results['a'].rows:,} rows "
        f"({results['a'].rows / ingest if ingest else 0:,.0f} rows/s); the naive reference "
        f"(d): {results['d'].seconds:.1f} s — **ingestion {ratio:.1f}× faster**.",
        "",
        "## Steps (seconds)",
        "",
        "| step | " + " | ".join(f"({k})" for k in "abce") + " |",
        "| --- | " + " | ".join("---:" for _ in "abce") + " |",
    ]
    steps = sorted({s for k in "abce" for s in results[k].steps}, key=_step_order)
    for step in steps:
        cells = [str(results[k].steps.get(step, "")) for k in "abce"]
        lines.append(f"| {step} | " + " | ".join(cells) + " |")
    lines += ["", "## Targets", ""]
    for name, (text, met) in TARGETS.items():
        ok = met(results)
        lines.append(f"* {text}: **{'met' if ok else 'MISSED'}** — {_how_far(name, results)}")
    lines += ["", "## Notes", "", *extra.get("notes", [])]
    return "\n".join(lines) + "\n"


# What bounds ingestion, said where the ratio falls short.
WHY_INGESTION = (
    "Ingestion is CPU-bound on two cores: two worker processes parse (the guards, calamine, "
    "finding the header past title and merged rows, typing every cell with its unit, "
    "placeholder and date rules, keeping lineage and quarantine) and lay the rows out as "
    "Arrow tables, while the writing process inserts them; all three share the two cores. "
    "The naive reference reads raw cell values on one core and interprets nothing."
)


def _how_far(name: str, r: dict[str, Measure]) -> str:
    """The figure against its target, and where the time or memory went."""
    if name == "ratio":
        ingest = r["a"].steps.get("ingest_raw_files", 0.0)
        ratio = r["d"].seconds / ingest
        text = f"{ratio:.1f}× ({r['d'].seconds:.0f} s / {ingest:.0f} s)"
        if ratio >= 8:
            return text
        return f"{text}; 8× would need ingestion in {r['d'].seconds / 8:.0f} s. {WHY_INGESTION}"
    if name == "memory":
        worst = max("abce", key=lambda k: r[k].peak_mb)
        return f"largest {r[worst].peak_mb:,.0f} MB, in ({worst})"
    limit = {"a": 180.0, "b": 45.0, "c": 90.0, "e": 1.2 * r["b"].seconds}[name]
    m = r[name]
    return (
        f"{m.seconds:.0f} s against {limit:.0f} s ({m.seconds - limit:+.0f} s); "
        f"{_where(m)}; load average {m.load_before:.2f} before it started"
    )


def _where(m: Measure) -> str:
    big = sorted(m.steps.items(), key=lambda kv: -kv[1])
    shown = [f"{step} {sec:.0f} s" for step, sec in big if sec >= 3][:4]
    rest = m.seconds - sum(sec for _, sec in big if sec >= 3)
    return ", ".join([*shown, f"everything else (start-up, other steps) {rest:.0f} s"])


def _rate(m: Measure) -> str:
    return f"{m.rows_per_second:,.0f}" if m.rows else "— (no new rows)"


def _step_order(step: str) -> tuple:
    first = ["ingest_raw_files", "quality__dq_failures", "dbt_warehouse"]
    return (first.index(step) if step in first else len(first), step)


# --------------------------------------------------------------------------- main


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", type=Path, help="working folder (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the working folder")
    parser.add_argument("--scale", default="province", help="demo scale (city: a quick try)")
    parser.add_argument("--months", type=int, default=MONTHS)
    parser.add_argument("--history-months", type=int, default=HISTORY_MONTHS)
    parser.add_argument("--out", type=Path, default=BENCH, help="where results.md/.json go")
    parser.add_argument(
        "--report-only", action="store_true", help="write results.md again from results.json"
    )
    args = parser.parse_args(argv)
    if args.report_only:
        saved = json.loads((args.out / "results.json").read_text(encoding="utf-8"))
        results = {k: Measure(**_fields(v)) for k, v in saved["runs"].items()}
        write_results(args.out, results, saved["context"])
        return 0
    work = args.work or Path(tempfile.mkdtemp(prefix="xmk-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"working in {work}", flush=True)
    try:
        results, extra = run_all(work, args.scale, args.months, args.history_months)
    finally:
        if not args.keep and not args.work:
            shutil.rmtree(work, ignore_errors=True)
    write_results(args.out, results, extra)
    return 0


def _fields(saved: dict) -> dict:
    return {k: v for k, v in saved.items() if k in Measure.__dataclass_fields__}


def write_results(out: Path, results: dict[str, Measure], extra: dict) -> None:
    text = report(results, extra)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.md").write_text(text, encoding="utf-8")
    (out / "results.json").write_text(
        json.dumps(
            {
                "measured": extra["when"],
                "machine": extra["machine"],
                "context": extra,
                "runs": {
                    k: asdict(m) | {"rows_per_second": m.rows_per_second}
                    for k, m in results.items()
                },
                "targets": {name: met(results) for name, (_t, met) in TARGETS.items()},
                "ingestion_vs_naive": results["d"].seconds / results["a"].steps["ingest_raw_files"],
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(text)


def run_all(work: Path, scale: str, months: int, history: int):
    site, site28 = work / f"{scale}{months}", work / f"{scale}{history}"
    raw14, raw28 = site / "raw", site28 / "raw"
    notes = []
    print(f"generating {months} months…", flush=True)
    notes.append(_generated(generate(raw14, scale, months), months, scale))
    results: dict[str, Measure] = {}

    fresh(site)
    results["a"] = xmk_run("a", raw14, site)
    results["b"] = xmk_run("b", raw14, site)

    c_raw, c_site = work / "one_new_month" / "raw", work / "one_new_month"
    shutil.rmtree(c_raw, ignore_errors=True)
    fresh(c_site)
    held_back = without_last_month(raw14, c_raw)
    before = xmk_run("c-before", c_raw, c_site)
    notes.append(
        f"* (c): the same files without {LAST_MONTH:%Y-%m} and its weekly returns "
        f"({len(held_back)} files held back) ran first ({before.seconds:.0f} s), then those "
        "files landed with their own received times."
    )
    for rel in held_back:
        (c_raw / rel).parent.mkdir(parents=True, exist_ok=True)
        os.link(raw14 / rel, c_raw / rel)
    results["c"] = xmk_run("c", c_raw, c_site)

    print("naive reference…", flush=True)
    results["d"] = run_naive(raw14, site)

    print(f"generating {history} months…", flush=True)
    notes.append(_generated(generate(raw28, scale, history), history, scale))
    fresh(site28)
    full28 = xmk_run("e-full", raw28, site28)
    notes.append(
        f"* (e): the {history}-month warehouse was built first ({full28.seconds:.0f} s "
        f"from empty, ingestion {full28.steps.get('ingest_raw_files', 0):.0f} s, dbt "
        f"{full28.steps.get('dbt_warehouse', 0):.0f} s)."
    )
    results["e"] = xmk_run("e", raw28, site28)
    extra = {
        "when": datetime.now().isoformat(timespec="minutes"),
        "machine": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        "cores": os.cpu_count(),
        "files_14": sum(1 for p in raw14.rglob("*") if p.is_file()),
        "files_28": sum(1 for p in raw28.rglob("*") if p.is_file()),
        "scale": scale,
        "months": months,
        "history": history,
        "notes": notes,
    }
    return results, extra


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "naive":
        print(json.dumps(naive_reference(Path(sys.argv[2]), Path(sys.argv[3]))))
        sys.exit(0)
    sys.exit(main())
