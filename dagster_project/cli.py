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

    val = sub.add_parser(
        "validate",
        help="check one workbook as the city would, and write its report (exit 1 on errors)",
    )
    val.add_argument("file", help="the workbook (.xlsx, .xls or .csv) to check")
    val.add_argument("--out", help="where the report goes (env XMK_OUT_DIR, default ./out)")
    val.add_argument(
        "--period",
        help="reporting month YYYY-MM (default: the file's month folder, else the month its "
        "title rows or 1-X月 header name; without either, --period is required)",
    )
    val.set_defaults(func=_validate)

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

    sql = sub.add_parser(
        "sql",
        help="query the analysts' published snapshot (read-only)",
        description="Read-only SQL on published.duckdb, with no access to other files, the "
        "network or extensions, and fixed settings; marts answer to their bare names "
        "(select * from rpt_arena_monthly). Without QUERY, an interactive shell: statements "
        "end with ';', .quit or Ctrl-D leaves. The table rounds floating-point numbers "
        "(columns …_wan and …_pp to 2 decimals, others, such as rates, to 4); csv and json "
        "carry every digit. Exit 0 ok, 1 query error or refused, 2 no published snapshot yet.",
    )
    sql.add_argument(
        "query",
        nargs="?",
        help="SQL; several statements print the last one's result (none: interactive shell)",
    )
    sql.add_argument("--format", choices=["table", "csv", "json"], default="table")
    sql.add_argument("--warehouse", help="warehouse folder (env XMK_WAREHOUSE_DIR)")
    sql.add_argument(
        "--working",
        action="store_true",
        help="the working warehouse.duckdb (raw, quality, meta, marts) instead of the "
        "snapshot, read-only; a run that starts meanwhile waits for the session to end",
    )
    sql.set_defaults(func=_sql)

    export = sub.add_parser(
        "export",
        help="the project library in an open data standard (oc4ids)",
        description="Export a month of the project library from the analysts' published "
        "snapshot, in a format other systems read.",
    )
    export_sub = export.add_subparsers(required=True, metavar="FORMAT")
    oc4ids = export_sub.add_parser(
        "oc4ids",
        help="an OC4IDS 0.9 project package (JSON)",
        description="The month's projects (those on at least one list) as an OC4IDS project "
        "package, valid against the OC4IDS schema shipped with xmk. The prefix of the "
        "project ids, the publisher and the package's URI come from "
        "<raw>/reference/oc4ids.toml when it exists. Exit 0 written, 1 no projects for the "
        "month, 2 no published snapshot yet or an unusable oc4ids.toml.",
    )
    oc4ids.add_argument(
        "--month", help="reporting month YYYY-MM (default: the latest in the snapshot)"
    )
    oc4ids.add_argument("--out", required=True, help="the JSON file to write")
    oc4ids.add_argument("--warehouse", help="warehouse folder (env XMK_WAREHOUSE_DIR)")
    oc4ids.add_argument("--raw", help="landing folder, for reference/ (env XMK_RAW_DIR)")
    oc4ids.set_defaults(func=_export_oc4ids)

    agenda = sub.add_parser(
        "meeting-agenda",
        help="the 协调推进会's agenda: escalated and overdue issues by 分管副市长 and department",
        description="Every issue still open in the latest ledger reported by the meeting's "
        "month that is overdue on the day, or without a 办结时限 open longer than the dbt var "
        "issue_escalation_days, grouped by 分管副市长 and 责任部门; aged to the meeting's day. "
        "Reads the analysts' published snapshot. Exit 2 without a snapshot or a bad --date.",
    )
    agenda.add_argument("--date", required=True, help="the meeting's day, YYYY-MM-DD")
    agenda.add_argument(
        "--out", help="the workbook to write (default: <out>/meetings/协调推进会议程_<date>.xlsx)"
    )
    agenda.add_argument("--warehouse", help="warehouse folder (env XMK_WAREHOUSE_DIR)")
    agenda.set_defaults(func=_meeting_agenda)

    departments = sub.add_parser(
        "department-lists",
        help="each 责任部门's open and overdue issues city-wide, one workbook per department",
        description="For each department named in a month's issue ledgers, its issues still "
        "open city-wide, overdue first, aged to the month's last day: "
        "<out>/departments/<YYYY-MM>/<department>_问题清单.xlsx. Reads the analysts' "
        "published snapshot.",
    )
    departments.add_argument("--month", help="ledger month YYYY-MM (default: the latest)")
    departments.add_argument(
        "--mail",
        action="store_true",
        help="also send each list to its department's email (department_leaders.csv) by "
        "XMK_SMTP_* — each list once — or, without XMK_SMTP_HOST, write it to out/outbox/",
    )
    departments.add_argument("--out", help="output folder (env XMK_OUT_DIR, default ./out)")
    departments.add_argument("--warehouse", help="warehouse folder (env XMK_WAREHOUSE_DIR)")
    departments.set_defaults(func=_department_lists)

    mail = sub.add_parser(
        "mail",
        help="the county reports' mail: what went, what is held, releasing a held one",
        description="The send log (out/outbox/send_log.jsonl) of the county reports' mail. "
        "A report whose reply was lost (unknown) or that the server refused for good (5xx) "
        "is not sent again until released here; the next `xmk run` then sends it.",
    )
    mail_sub = mail.add_subparsers(required=True, metavar="ACTION")
    status = mail_sub.add_parser("status", help="each report's state, held ones first")
    status.add_argument("--out", help="reports and outbox (env XMK_OUT_DIR, default ./out)")
    status.add_argument("--all", action="store_true", help="list the sent reports too")
    status.set_defaults(func=_mail_status)
    release = mail_sub.add_parser(
        "release",
        help="let held reports be sent again by the next run (exit 1 if one cannot be)",
    )
    release.add_argument("keys", nargs="*", metavar="KEY", help="report keys, as status shows")
    release.add_argument(
        "--all-unknown", action="store_true", help="every report whose reply was lost"
    )
    release.add_argument(
        "--all-held", action="store_true", help="every held report: unknown or refused (5xx)"
    )
    release.add_argument("--out", help="reports and outbox (env XMK_OUT_DIR, default ./out)")
    release.set_defaults(func=_mail_release)

    serve = sub.add_parser(
        "serve",
        help="the county portal: uploads with an instant self-check, 报送进度 (SPEC §9)",
        description="Serve the county portal on HOST:PORT (default 127.0.0.1:8080; it listens "
        "on no other address). It reads raw/, the warehouse and out/ as `xmk run` does, "
        "never writes the warehouse, and keeps its accounts and uploads in XMK_PORTAL_DIR "
        "(default ./portal).",
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--raw", help="landing folder (env XMK_RAW_DIR, default ./raw)")
    serve.add_argument("--warehouse", help="warehouse folder (env XMK_WAREHOUSE_DIR)")
    serve.add_argument("--out", help="reports (env XMK_OUT_DIR, default ./out)")
    serve.set_defaults(func=_serve)

    users = sub.add_parser(
        "users",
        help="the portal's accounts: add, list, disable",
        description="Accounts of the county portal, kept in XMK_PORTAL_DIR/users.sqlite "
        "(not derived from raw/: a warehouse rebuild keeps them). A county account belongs "
        "to one region_code of the regions reference; an admin is the project centre.",
    )
    users_sub = users.add_subparsers(required=True, metavar="ACTION")
    add = users_sub.add_parser("add", help="add an account; the password is read from stdin")
    add.add_argument("login")
    who = add.add_mutually_exclusive_group(required=True)
    who.add_argument("--region", metavar="CODE", help="the county's region_code")
    who.add_argument("--admin", action="store_true", help="a project-centre account")
    add.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help="read the password from the first line of standard input",
    )
    add.set_defaults(func=_users_add)
    users_list = users_sub.add_parser("list", help="every account, with its region")
    users_list.set_defaults(func=_users_list)
    disable = users_sub.add_parser("disable", help="disable an account and end its sessions")
    disable.add_argument("login")
    disable.set_defaults(func=_users_disable)
    demo_users = users_sub.add_parser(
        "demo",
        help="the demo city's accounts: one per county and one admin, passwords printed once",
    )
    demo_users.set_defaults(func=_users_demo)

    reread = sub.add_parser(
        "reread",
        help="forget a month's (or a week's) files, so that the next run reads them again",
        description="A file is read once per period. After a parser fix, take the period's "
        "submissions out of the warehouse (the files in raw/ stay); the next `xmk run` "
        "reads them again and rebuilds the marts. Run it while no run is in progress.",
    )
    which = reread.add_mutually_exclusive_group(required=True)
    which.add_argument("--period", help="reporting month YYYY-MM")
    which.add_argument("--week", help="a week's 已开工未入统 returns, YYYY-Www (ISO week)")
    reread.add_argument("--warehouse", help="warehouse folder (env XMK_WAREHOUSE_DIR)")
    reread.set_defaults(func=_reread)
    return p


def _run(args) -> int:
    from dagster_project.orchestration.preflight import cannot_start
    from dagster_project.settings import resolve_paths

    # Said before Dagster is loaded, within a second.
    if problem := cannot_start(resolve_paths(args.raw, args.warehouse, args.out)):
        print(f"xmk run: {problem}", file=sys.stderr)
        return 2
    from dagster_project.orchestration.run import run_nightly

    return run_nightly(args.raw, args.warehouse, args.out)


def _validate(args) -> int:
    from datetime import date, datetime

    from dagster_project.quality.self_check import PeriodUnknown, file_period, self_check
    from dagster_project.settings import resolve_paths

    path = Path(args.file)
    if not path.is_file():
        print(f"xmk validate: no such file: {path}", file=sys.stderr)
        return 2
    _utf8_stdout()
    if args.period:
        try:
            period = datetime.strptime(args.period, "%Y-%m").date()
        except ValueError:
            print(f"xmk validate: --period must look like 2026-10, not {args.period}")
            return 2
    else:
        try:
            period, found_by = file_period(path, date.today())
        except PeriodUnknown as exc:
            print(
                f"xmk validate: 无法确定报送月份：{exc}。请用 --period YYYY-MM 指明是哪个月的"
                f"报表，例如：xmk validate {path} --period 2026-10",
                file=sys.stderr,
            )
            return 2
        print(f"报送月份：{period.year}年{period.month}月（{found_by}；如不对请用 --period 指定）")
    paths = resolve_paths(out=args.out)
    result = self_check(path, paths.out_dir, period, paths.raw_dir)
    print(result.describe())
    return 1 if result.errors else 0


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


def _sql(args) -> int:
    import contextlib

    import duckdb

    from dagster_project.orchestration.warehouse_lock import warehouse_lock
    from dagster_project.publish.analyst_sql import (
        NoSnapshotError,
        RefusedQuery,
        connect_snapshot,
        connect_working,
        one_line,
        run_query,
        write_result,
    )
    from dagster_project.settings import resolve_paths

    paths = resolve_paths(warehouse=args.warehouse)
    held = contextlib.ExitStack()
    try:
        if args.working:
            if paths.warehouse_db.is_file():
                held.enter_context(warehouse_lock(paths.warehouse_db, "xmk sql", write=False))
            con = connect_working(paths.warehouse_db)
        else:
            con = connect_snapshot(paths.published_db)
    except NoSnapshotError as e:
        held.close()
        print(f"xmk sql: {e}", file=sys.stderr)
        return 2
    except duckdb.Error as e:
        held.close()
        print(f"xmk sql: {one_line(e)}", file=sys.stderr)
        return 1
    try:
        if args.query is None:
            from dagster_project.publish.sql_shell import run_shell

            _utf8_stdout()
            return run_shell(con, args.format)
        result = run_query(con, args.query)
        if result is not None:
            _utf8_stdout()
            write_result(result, args.format, sys.stdout)
            sys.stdout.flush()
    except (RefusedQuery, duckdb.Error) as e:
        print(f"xmk sql: {one_line(e)}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # `xmk sql … | head`: the reader has what it wanted.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    finally:
        con.close()
        held.close()
    return 0


def _export_oc4ids(args) -> int:

    import duckdb

    from dagster_project.publish.analyst_sql import NoSnapshotError, one_line
    from dagster_project.publish.oc4ids.config import ConfigError
    from dagster_project.publish.oc4ids.export import MonthNotFound, export_oc4ids
    from dagster_project.settings import resolve_paths

    _utf8_stdout()
    month, bad = _month_option("export oc4ids", args.month)
    if bad:
        return 2
    paths = resolve_paths(raw=args.raw, warehouse=args.warehouse)
    try:
        result = export_oc4ids(paths.published_db, Path(args.out), paths.reference_dir, month)
    except (NoSnapshotError, ConfigError) as e:
        print(f"xmk export oc4ids: {e}", file=sys.stderr)
        return 2
    except MonthNotFound as e:
        print(f"xmk export oc4ids: {e}", file=sys.stderr)
        return 1
    except duckdb.Error as e:
        print(f"xmk export oc4ids: {one_line(e)}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"xmk export oc4ids: cannot write {args.out}: {e}", file=sys.stderr)
        return 1
    print("\n".join(result.describe()))
    return 0


def _month_option(command: str, text: str | None):
    """(--month as the month's first day, or None when not given; True when it is malformed,
    which is said in one line)."""
    from datetime import datetime

    try:
        return (datetime.strptime(text, "%Y-%m").date() if text else None), False
    except ValueError:
        print(f"xmk {command}: --month must look like 2026-10, not {text}", file=sys.stderr)
        return None, True


def _snapshot_or_exit(command: str, warehouse: str | None):
    """A read-only connection to the published snapshot, or the one line why not."""
    from dagster_project.publish.analyst_sql import NoSnapshotError, connect_snapshot
    from dagster_project.settings import resolve_paths

    try:
        return connect_snapshot(resolve_paths(warehouse=warehouse).published_db), None
    except NoSnapshotError as e:
        return None, f"xmk {command}: {e}"


def _meeting_agenda(args) -> int:
    from datetime import date

    from dagster_project.publish.accountability import (
        agenda_path,
        read_agenda,
        read_open_decisions,
        write_agenda,
    )
    from dagster_project.settings import resolve_paths

    _utf8_stdout()
    try:
        day = date.fromisoformat(args.date)
    except ValueError:
        print(
            f"xmk meeting-agenda: --date must look like 2026-12-01, not {args.date}",
            file=sys.stderr,
        )
        return 2
    con, error = _snapshot_or_exit("meeting-agenda", args.warehouse)
    if con is None:
        print(error, file=sys.stderr)
        return 2
    try:
        departments = read_agenda(con, day)
        decisions = read_open_decisions(con, day)
    finally:
        con.close()
    path = Path(args.out) if args.out else agenda_path(resolve_paths().out_dir, day)
    write_agenda(path, day, departments, decisions)
    issues = sum(len(d.rows) for d in departments)
    overdue = sum(1 for d in decisions if d["days_overdue"])
    print(
        f"agenda written: {path} ({issues} issues, {len(departments)} departments; "
        f"{len(decisions)} open decisions of earlier meetings, {overdue} overdue)"
    )
    return 0


def _department_lists(args) -> int:

    from dagster_project.publish.accountability import (
        department_list_path,
        read_department_lists,
        write_department_list,
    )
    from dagster_project.settings import resolve_paths

    _utf8_stdout()
    month, bad = _month_option("department-lists", args.month)
    if bad:
        return 2
    con, error = _snapshot_or_exit("department-lists", args.warehouse)
    if con is None:
        print(error, file=sys.stderr)
        return 2
    try:
        month, departments = read_department_lists(con, month)
    finally:
        con.close()
    if month is None:
        print("xmk department-lists: the snapshot holds no issue ledger", file=sys.stderr)
        return 1
    paths = resolve_paths(out=args.out)
    written = []
    for department in departments:
        path = department_list_path(paths.out_dir, month, department.department)
        write_department_list(path, month, department)
        written.append((department, path))
        print(f"{path} ({len(department.rows)} open, {department.overdue} overdue)")
    print(f"{len(departments)} department lists for {month:%Y-%m}")
    return _mail_department_lists(paths, month, written) if args.mail else 0


def _mail_department_lists(paths, month, written) -> int:
    """Each list to its department's address; 4 when one could not be sent (the next
    call tries again), as `xmk run` does for the county reports."""
    import os

    from dagster_project.ingest.reference import ReferenceFileError, department_addresses
    from dagster_project.publish.mail import (
        SmtpSettings,
        build_department_message,
        deliver,
        send_log_path,
    )

    try:
        to = department_addresses(paths.raw_dir)
        smtp = SmtpSettings.from_env(os.environ)
    except (ReferenceFileError, ValueError) as exc:
        print(f"xmk department-lists: {exc}", file=sys.stderr)
        return 2
    sender = smtp.sender if smtp else "项目库 <xmk@localhost>"
    messages = [
        build_department_message(
            d.department,
            d.leader,
            month,
            path,
            (len(d.rows), d.overdue),
            d.content_sha256(),
            to.get(d.department, []),
            sender,
        )
        for d, path in written
    ]
    report = deliver(
        messages,
        smtp,
        paths.out_dir / "outbox",
        send_log_path(paths.out_dir),
        what="department lists",
        address_column="department_leaders.csv 的 email 列",
    )
    print(report.summary())
    for line in (report.problem_line({}), report.held_line({})):
        if line:
            print(line, file=sys.stderr)
    return 0 if report.ok else 4


def _mail_status(args) -> int:
    from dagster_project.publish.mail import send_log_path, status_text
    from dagster_project.settings import resolve_paths

    _utf8_stdout()
    print(status_text(send_log_path(resolve_paths(out=args.out).out_dir), args.all))
    return 0


def _mail_release(args) -> int:
    from dagster_project.publish.mail import release, send_log_path
    from dagster_project.settings import command_name, resolve_paths

    if not args.keys and not args.all_unknown and not args.all_held:
        print(
            "xmk mail release: name the reports (KEY …), or give --all-unknown or --all-held",
            file=sys.stderr,
        )
        return 2
    _utf8_stdout()
    log_path = send_log_path(resolve_paths(out=args.out).out_dir)
    result = release(log_path, args.keys, args.all_unknown, args.all_held)
    for key in result.released:
        print(f"released {key}: the next `{command_name()} run` sends it")
    for key, why in result.refused.items():
        print(f"not released {key}: {why}")
    if not result.released and not result.refused:
        print("nothing to release: no report is held")
    return 1 if result.refused else 0


def _serve(args) -> int:
    from dagster_project.portal.serve import serve

    return serve(args.host, args.port, args.raw, args.warehouse, args.out)


def _users_add(args) -> int:
    from dagster_project.portal.accounts import add_account

    _utf8_stdout()
    return add_account(args.login, args.region, args.admin, sys.stdin)


def _users_list(args) -> int:
    from dagster_project.portal.accounts import list_accounts

    _utf8_stdout()
    return list_accounts()


def _users_disable(args) -> int:
    from dagster_project.portal.accounts import disable_account

    _utf8_stdout()
    return disable_account(args.login)


def _users_demo(args) -> int:
    from dagster_project.portal.accounts import demo_accounts

    _utf8_stdout()
    return demo_accounts()


def _reread(args) -> int:
    from datetime import datetime

    from dagster_project.ingest.forget import forget_period
    from dagster_project.settings import command_name, resolve_paths

    try:
        if args.period:
            month, week = datetime.strptime(args.period, "%Y-%m").date(), None
        else:
            month, week = None, datetime.strptime(args.week + "-1", "%G-W%V-%u").date()
    except ValueError:
        print("xmk reread: give --period like 2026-10 or --week like 2026-W44", file=sys.stderr)
        return 2
    db = resolve_paths(warehouse=args.warehouse).warehouse_db
    if not db.exists():
        print(f"xmk reread: no warehouse at {db}", file=sys.stderr)
        return 2
    count = forget_period(db, month=month, week=week)
    what = args.period or f"the week of {week:%Y-%m-%d}"
    print(f"forgot {count} files of {what}; the next `{command_name()} run` reads them again")
    return 0


def _utf8_stdout() -> None:
    """Chinese text goes out as UTF-8 whatever the locale says (on stderr too)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
