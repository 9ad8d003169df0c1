"""The portal's Starlette application: pages (Jinja2, autoescaped) and the JSON API, with
one set of sessions and permissions (SPEC §9).

Security, as a government intranet expects:
* sessions: a random token in an HttpOnly, SameSite=Strict cookie (Secure behind https);
* CSRF: every form carries the session's token (`csrf_token`), every API call that
  changes something sends it as `X-CSRF-Token` (returned by `POST /api/login`); the login
  form itself is protected by a double-submit cookie, the API login by requiring JSON;
* uploads: the size cap is enforced while the body arrives (a larger body is cut off and
  answered 413), then the file guards run before any parsing;
* a county's account sees only its own region: another region's submission, report or
  row answers 404, as a submission that does not exist does;
* every page escapes what users typed (project names are user input); a Content Security
  Policy allows nothing from outside the portal (no CDN, no external font);
* logins (both outcomes) and submissions are written to the audit log.
"""

from __future__ import annotations

import contextlib
import json
import logging
import secrets
import threading
from datetime import date, datetime, timedelta
from pathlib import Path

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from dagster_project.ingest.reference import load_regions
from dagster_project.portal.config import PortalConfig
from dagster_project.portal.landing import PeriodError, parse_period
from dagster_project.portal.progress import board, send_reminders
from dagster_project.portal.uploads import CONFIRMED, REFUSED, Upload, UploadRefused, Uploads
from dagster_project.portal.users import Session, Throttled, UserStore, now
from dagster_project.portal.views import (
    PUBLISHED_TABLES,
    WarehouseReader,
    published_rows,
    region_manifest,
    report_path,
    reports,
    submission_status,
)

HERE = Path(__file__).parent
SESSION_COOKIE = "xmk_session"
LOGIN_CSRF_COOKIE = "xmk_login_csrf"
CSRF_HEADER = "x-csrf-token"
UPLOAD_PATHS = ("/submit", "/api/submissions")
# The multipart envelope around the file: boundary lines, headers, the period field.
_FORM_OVERHEAD = 64 * 1024

log = logging.getLogger("xmk.portal")


class Portal:
    """What the routes share: settings, the stores, the readers."""

    def __init__(self, config: PortalConfig):
        self.config = config
        self.users = UserStore(config.users_db)
        self.uploads = Uploads(config.uploads_dir, config.paths.raw_dir)
        self.warehouse = WarehouseReader(config.paths.warehouse_db)
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,  # every page escapes what users typed
        )
        self.templates = Jinja2Templates(env=env)
        self.templates.env.globals["rule_name"] = _rule_name
        self.templates.env.filters["when"] = _when
        self.templates.env.filters["basename"] = lambda p: Path(p).name

    def regions(self) -> dict[str, dict]:
        rows, _ = load_regions(self.config.paths.raw_dir)
        return {r["region_code"]: r for r in rows}

    def audit(self, event: str, request: Request, **facts) -> None:
        entry = {
            "at": now().isoformat(timespec="seconds"),
            "event": event,
            "client": _client(request),
            **facts,
        }
        self.config.audit_log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.config.audit_log, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry, ensure_ascii=False) + "\n")


def create_app(config: PortalConfig) -> Starlette:
    portal = Portal(config)
    routes = [
        Route("/", _home),
        Route("/login", _login_page, methods=["GET", "POST"]),
        Route("/logout", _logout, methods=["POST"]),
        Route("/submit", _submit_page, methods=["GET", "POST"]),
        Route("/submissions", _submissions_page),
        Route("/submissions/{sid}", _submission_page),
        Route("/submissions/{sid}/confirm", _confirm_page, methods=["POST"]),
        Route("/submissions/{sid}/files/{name}", _submission_file),
        Route("/reports", _reports_page),
        Route("/reports/{month}/{name}", _report_file),
        Route("/data", _data_page),
        Route("/admin/progress", _progress_page),
        Route("/admin/remind", _remind, methods=["POST"]),
        Route("/api/login", _api_login, methods=["POST"]),
        Route("/api/logout", _api_logout, methods=["POST"]),
        Route("/api/submissions", _api_submissions, methods=["GET", "POST"]),
        Route("/api/submissions/{sid}", _api_submission),
        Route("/api/submissions/{sid}/confirm", _api_confirm, methods=["POST"]),
        Route("/api/reports", _api_reports),
        Route("/api/data", _api_data),
        Route("/api/admin/progress", _api_progress),
        Route("/api/admin/remind", _api_remind, methods=["POST"]),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={HTTPException: _http_error},
        lifespan=_warm_up,
    )
    app.state.portal = portal
    return _security_headers(_upload_cap(app, config.max_upload_bytes))


@contextlib.asynccontextmanager
async def _warm_up(app):
    """The first upload should not wait for the imports and the readers' first use: check
    the blank template once, in the background, as the server starts."""
    threading.Thread(target=_check_template, args=(app.state.portal,), daemon=True).start()
    yield


def _check_template(portal: Portal) -> None:
    import tempfile

    from dagster_project.quality.self_check import self_check
    from dagster_project.template.workbook import write_template

    try:
        with tempfile.TemporaryDirectory(prefix="xmk-serve-warm-") as tmp:
            template = write_template(Path(tmp) / "template.xlsx")
            month = now().date().replace(day=1)
            self_check(template, Path(tmp), month, portal.config.paths.raw_dir)
    except Exception:  # only a warm-up: a real upload says what is wrong
        log.exception("warm-up self-check failed")


# --------------------------------------------------------------------------- middleware


def _upload_cap(app, limit: int):
    """Refuse an upload body over the cap as it arrives: by its Content-Length at once,
    else when the bytes received pass it."""
    cap = limit + _FORM_OVERHEAD

    async def middleware(scope, receive, send):
        if scope["type"] != "http" or scope["path"] not in UPLOAD_PATHS:
            return await app(scope, receive, send)
        if scope["method"] != "POST":
            return await app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > cap:
            return await _too_large(scope, receive, send, limit)
        seen = 0

        async def limited():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > cap:
                    scope["xmk.too_large"] = True
                    return {"type": "http.disconnect"}
            return message

        return await app(scope, limited, send)

    return middleware


async def _too_large(scope, receive, send, limit: int):
    response = _too_large_response(scope["path"], limit)
    await response(scope, receive, send)


def _too_large_text(limit: int) -> str:
    return (
        f"文件过大：上传上限为 {limit / 2**20:g} MB。请删除无关工作表、图片后重新保存再上传 "
        "[upload too large]"
    )


def _too_large_response(path: str, limit: int) -> Response:
    message = _too_large_text(limit)
    if path.startswith("/api/"):
        return JSONResponse({"error": message}, status_code=413)
    return Response(
        f"<!doctype html><meta charset=utf-8><title>文件过大</title><p>{message}</p>"
        '<p><a href="/submit">返回上传页</a></p>',
        status_code=413,
        media_type="text/html",
    )


_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def _security_headers(app):
    async def middleware(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)

        async def sending(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", _CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                    (b"cache-control", b"no-store"),
                ]
                message = {**message, "headers": headers}
            await send(message)

        return await app(scope, receive, sending)

    return middleware


# --------------------------------------------------------------------------- sessions


def _portal(request: Request) -> Portal:
    return request.app.state.portal


def _session(request: Request) -> Session | None:
    return _portal(request).users.session(request.cookies.get(SESSION_COOKIE))


def _page_session(request: Request) -> Session:
    session = _session(request)
    if session is None:
        raise HTTPException(303, headers={"location": "/login"})
    return session


def _api_session(request: Request) -> Session:
    session = _session(request)
    if session is None:
        raise HTTPException(401, "请先登录 [login required]")
    return session


def _check_csrf(request: Request, session: Session, form=None) -> None:
    sent = request.headers.get(CSRF_HEADER) or (form.get("csrf_token") if form else None)
    if not sent or not secrets.compare_digest(str(sent), session.csrf_token):
        raise HTTPException(403, "请求缺少有效的CSRF令牌，请刷新页面后重试 [CSRF token]")


def _admin(session: Session) -> None:
    if not session.user.is_admin:
        raise HTTPException(404)


def _client(request: Request) -> str:
    return request.client.host if request.client else "-"


def _set_session_cookie(response: Response, token: str, config: PortalConfig) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=config.https,
        path="/",
    )


async def _authenticate(request: Request, login: str, password: str):
    """(user or None, refusal text or None, HTTP status); the attempt goes to the audit
    log."""
    portal = _portal(request)
    try:
        user = await run_in_threadpool(portal.users.authenticate, login, password, _client(request))
    except Throttled as exc:
        portal.audit("login_throttled", request, login=login)
        return (
            None,
            f"登录失败次数过多，请于 {exc.until:%H:%M} 后再试 [too many failed logins]",
            429,
        )
    portal.audit("login" if user else "login_failed", request, login=login)
    if user is None:
        return None, "账号或密码不正确，或账号已停用 [login failed]", 401
    return user, None, 200


# --------------------------------------------------------------------------- pages


def _render(request: Request, name: str, session: Session | None, http_status: int = 200, **ctx):
    unit = None
    if session is not None and session.user.region_code:
        region = _portal(request).regions().get(session.user.region_code)
        unit = region["region_name"] if region else session.user.region_code
    return _portal(request).templates.TemplateResponse(
        request,
        name,
        {"session": session, "user": session.user if session else None, "unit": unit, **ctx},
        status_code=http_status,
    )


async def _home(request: Request):
    session = _session(request)
    if session is None:
        return RedirectResponse("/login", 303)
    return RedirectResponse("/admin/progress" if session.user.is_admin else "/submit", 303)


async def _login_page(request: Request):
    portal = _portal(request)
    if request.method == "GET":
        token = secrets.token_urlsafe(24)
        response = _render(request, "login.html", None, login_csrf=token, error=None)
        response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/")
        return response
    form = await request.form()
    cookie, sent = request.cookies.get(LOGIN_CSRF_COOKIE), form.get("csrf_token")
    if not cookie or not sent or not secrets.compare_digest(cookie, str(sent)):
        raise HTTPException(403, "请求缺少有效的CSRF令牌，请刷新登录页后重试 [CSRF token]")
    login = str(form.get("username") or "").strip()
    user, refusal, _ = await _authenticate(request, login, str(form.get("password") or ""))
    if user is None:
        token = secrets.token_urlsafe(24)
        response = _render(
            request, "login.html", None, 401, login_csrf=token, error=refusal, login=login
        )
        response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/")
        return response
    token, _ = portal.users.open_session(user)
    response = RedirectResponse("/", 303)
    _set_session_cookie(response, token, portal.config)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
    return response


async def _logout(request: Request):
    session = _page_session(request)
    _check_csrf(request, session, await request.form())
    _portal(request).users.close_session(request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", 303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _month_being_collected(today: date) -> str:
    """The month whose lists are due now: the one before today's."""
    return f"{(today.replace(day=1) - timedelta(days=1)):%Y-%m}"


def _period_choices(today: date) -> list[tuple[str, str]]:
    """The periods a clerk is likely to report: the last three months, the last four weeks."""
    choices = []
    month = today.replace(day=1)
    for _ in range(3):
        month = (month - timedelta(days=1)).replace(day=1)
        choices.append(parse_period(f"{month:%Y-%m}"))
    choices.insert(0, parse_period(f"{today:%Y-%m}"))
    monday = today - timedelta(days=today.weekday())
    for weeks in range(1, 5):
        year, week, _ = (monday - timedelta(weeks=weeks)).isocalendar()
        choices.append(parse_period(f"{year}-W{week:02d}"))
    return [
        (p.text, p.label + ("（周报·已开工未入统）" if p.week else "（月报）")) for p in choices
    ]


async def _submit_page(request: Request):
    session = _page_session(request)
    if session.user.is_admin:
        return RedirectResponse("/admin/progress", 303)
    today = now().date()
    default = _month_being_collected(today)
    if request.method == "GET":
        return _render(
            request, "submit.html", session, periods=_period_choices(today), chosen=default
        )
    try:
        form = await request.form(max_files=1, max_fields=5)
    except ClientDisconnect:
        if request.scope.get("xmk.too_large"):
            return _too_large_response(request.url.path, _portal(request).config.max_upload_bytes)
        raise
    _check_csrf(request, session, form)
    try:
        upload = await _take_upload(request, session, form)
    except (UploadRefused, PeriodError) as exc:
        return _render(
            request,
            "submit.html",
            session,
            400,
            periods=_period_choices(today),
            chosen=str(form.get("period") or default),
            error=str(exc),
        )
    return RedirectResponse(f"/submissions/{upload.submission_id}", 303)


async def _take_upload(request: Request, session: Session, form) -> Upload:
    """The form's file checked for the account's region; UploadRefused when there is none."""
    portal = _portal(request)
    if session.user.is_admin:
        raise UploadRefused("报送请用区县账号登录 [admin accounts do not submit]")
    period = parse_period(str(form.get("period") or ""))
    upload_file = form.get("file")
    if upload_file is None or isinstance(upload_file, str) or not upload_file.filename:
        raise UploadRefused("请选择要上传的工作簿文件 [no file]")
    data = await upload_file.read()
    if len(data) > portal.config.max_upload_bytes:
        raise UploadRefused(_too_large_text(portal.config.max_upload_bytes))
    region = portal.regions().get(session.user.region_code)
    if region is None:
        raise UploadRefused(
            f"账号所属区划 {session.user.region_code} 不在区划表中，请联系项目中心 [unknown region]"
        )
    upload = await run_in_threadpool(
        portal.uploads.check, session.user, region, period, upload_file.filename, data
    )
    portal.audit(
        "upload",
        request,
        login=session.user.login,
        region_code=region["region_code"],
        period=period.text,
        submission_id=upload.submission_id,
        sha256=upload.sha256,
        size=upload.size,
        status=upload.status,
        errors=upload.errors,
        warnings=upload.warnings,
        check_seconds=upload.check_seconds,
    )
    return upload


def _own_upload(request: Request, session: Session) -> Upload:
    upload = _portal(request).uploads.get(request.path_params["sid"], session.user)
    if upload is None:
        raise HTTPException(404)
    return upload


async def _submission_page(request: Request):
    session = _page_session(request)
    upload = _own_upload(request, session)
    state = await run_in_threadpool(_portal(request).warehouse.state)
    status = _upload_status(upload, state)
    return _render(
        request,
        "submission.html",
        session,
        upload=upload,
        status=status,
        markable=_markable(upload),
    )


async def _confirm_page(request: Request):
    session = _page_session(request)
    upload = _own_upload(request, session)
    _check_csrf(request, session, await request.form())
    try:
        await _confirm(request, session, upload)
    except UploadRefused as exc:
        return _render(
            request,
            "submission.html",
            session,
            400,
            upload=upload,
            error=str(exc),
            status=None,
            markable=_markable(upload),
        )
    return RedirectResponse(f"/submissions/{upload.submission_id}", 303)


async def _confirm(request: Request, session: Session, upload: Upload) -> Upload:
    portal = _portal(request)
    if session.user.is_admin:
        raise UploadRefused("报送须由报送单位账号确认 [admin accounts do not submit]")
    confirmed = await run_in_threadpool(portal.uploads.confirm, upload, session.user)
    portal.audit(
        "confirm",
        request,
        login=session.user.login,
        region_code=confirmed.region_code,
        period=confirmed.period,
        submission_id=confirmed.submission_id,
        sha256=confirmed.sha256,
        landed_as=confirmed.landed_as,
    )
    return confirmed


async def _submission_file(request: Request):
    session = _page_session(request)
    upload = _own_upload(request, session)
    path = await run_in_threadpool(
        _portal(request).uploads.file_of, upload, request.path_params["name"]
    )
    if path is None:
        raise HTTPException(404)
    return FileResponse(path, filename=path.name, content_disposition_type=_disposition(path))


def _disposition(path: Path) -> str:
    return "inline" if path.suffix == ".html" else "attachment"


async def _submissions_page(request: Request):
    session = _page_session(request)
    portal = _portal(request)
    region = None if session.user.is_admin else session.user.region_code
    state = await run_in_threadpool(portal.warehouse.state)
    uploads = portal.uploads.mine(session.user)
    rows = [(u, _upload_status(u, state)) for u in uploads]
    by_sha = {u.sha256 for u in uploads if u.status == CONFIRMED}
    others = [
        (m, submission_status(m, state.failures))
        for m in region_manifest(state, region)
        if m["file_sha256"] not in by_sha
    ]
    return _render(request, "submissions.html", session, rows=rows, others=others, state=state)


def _upload_status(upload: Upload, state) -> dict:
    """Where the upload stands: checked, refused, confirmed, and then what the nightly run
    made of it."""
    if upload.status == REFUSED:
        return {"code": "refused", "text": "被拒收（未报送）"}
    if upload.status != CONFIRMED:
        return {"code": "checked", "text": "已自检，待确认报送"}
    entry = next(
        (
            m
            for m in state.manifest
            if m["file_sha256"] == upload.sha256
            and m["region_code"] in (upload.region_code, None)
            and (m.get("original_path") or "") == upload.landed_as
        ),
        None,
    ) or next((m for m in state.manifest if m["file_sha256"] == upload.sha256), None)
    code, text = submission_status(entry, state.failures)
    return {
        "code": code,
        "text": text,
        "reason": entry.get("reason") if entry else None,
        "read_at": state.read_at,
        "busy": state.busy,
    }


async def _reports_page(request: Request):
    session = _page_session(request)
    region = None if session.user.is_admin else session.user.region_code
    found = reports(_portal(request).config.paths.out_dir, region)
    return _render(request, "reports.html", session, reports=found)


async def _report_file(request: Request):
    session = _page_session(request)
    region = None if session.user.is_admin else session.user.region_code
    path = report_path(
        _portal(request).config.paths.out_dir,
        region,
        request.path_params["month"],
        request.path_params["name"],
    )
    if path is None:
        raise HTTPException(404)
    return FileResponse(path, filename=path.name, content_disposition_type=_disposition(path))


async def _published(request: Request, session: Session):
    """(table, region, rows found) of a request for published rows: a county's own region
    whatever it asks for, any region (or all) for the centre."""
    table = request.query_params.get("table") or "dim_project"
    if table not in PUBLISHED_TABLES:
        raise HTTPException(404)
    region = session.user.region_code
    if session.user.is_admin:
        region = request.query_params.get("region") or None
    path = _portal(request).config.paths.published_db
    return table, region, await run_in_threadpool(published_rows, path, table, region)


async def _data_page(request: Request):
    session = _page_session(request)
    portal = _portal(request)
    table, region, found = await _published(request, session)
    return _render(
        request,
        "data.html",
        session,
        tables=PUBLISHED_TABLES,
        table=table,
        found=found,
        region=region,
        regions=portal.regions() if session.user.is_admin else {},
    )


def _board_for(request: Request, session: Session):
    _admin(session)
    portal = _portal(request)
    default = _month_being_collected(now().date())
    try:
        period = parse_period(request.query_params.get("period") or default)
    except PeriodError as exc:
        raise HTTPException(400, str(exc)) from None
    state = portal.warehouse.state()
    return board(
        period,
        state,
        portal.uploads.all(),
        portal.config.paths.raw_dir,
        portal.config.weekly_deadline,
    )


async def _progress_page(request: Request):
    session = _page_session(request)
    brd = await run_in_threadpool(_board_for, request, session)
    return _render(
        request,
        "progress.html",
        session,
        board=brd,
        periods=_period_choices(now().date()),
        result=None,
    )


async def _send_reminders(request: Request, session: Session, codes: list[str] | None):
    """催报 to the period's late submitters (those of `codes` among them), in the audit log."""
    brd = await run_in_threadpool(_board_for, request, session)
    result = await run_in_threadpool(
        send_reminders, brd, codes, _portal(request).config.paths.out_dir
    )
    _portal(request).audit(
        "remind", request, login=session.user.login, period=brd.period.text, **result.__dict__
    )
    return brd, result


async def _remind(request: Request):
    session = _page_session(request)
    _admin(session)
    form = await request.form()
    _check_csrf(request, session, form)
    brd, result = await _send_reminders(request, session, form.getlist("region") or None)
    return _render(
        request,
        "progress.html",
        session,
        board=brd,
        periods=_period_choices(now().date()),
        result=result,
    )


# --------------------------------------------------------------------------- API


async def _api_login(request: Request):
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return JSONResponse({"error": "请以 JSON 提交 [application/json required]"}, 415)
    try:
        body = await request.json()
        login, password = str(body["username"]).strip(), str(body["password"])
    except (ValueError, KeyError, TypeError):
        return JSONResponse({"error": '需要 {"username", "password"} [bad request]'}, 400)
    user, refusal, status = await _authenticate(request, login, password)
    if user is None:
        return JSONResponse({"error": refusal}, status)
    portal = _portal(request)
    token, session = portal.users.open_session(user)
    response = JSONResponse(
        {
            "username": user.login,
            "role": user.role,
            "region_code": user.region_code,
            "csrf_token": session.csrf_token,
        }
    )
    _set_session_cookie(response, token, portal.config)
    return response


async def _api_logout(request: Request):
    session = _api_session(request)
    _check_csrf(request, session)
    _portal(request).users.close_session(request.cookies.get(SESSION_COOKIE))
    response = JSONResponse({"ok": True})
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


async def _api_submissions(request: Request):
    session = _api_session(request)
    portal = _portal(request)
    if request.method == "GET":
        state = await run_in_threadpool(portal.warehouse.state)
        return JSONResponse(
            {
                "submissions": [
                    {**u.public(), "pipeline": _json_status(_upload_status(u, state))}
                    for u in portal.uploads.mine(session.user)
                ]
            }
        )
    try:
        form = await request.form(max_files=1, max_fields=5)
    except ClientDisconnect:
        if request.scope.get("xmk.too_large"):
            return _too_large_response(request.url.path, portal.config.max_upload_bytes)
        raise
    _check_csrf(request, session, form)
    try:
        upload = await _take_upload(request, session, form)
    except (UploadRefused, PeriodError) as exc:
        return JSONResponse({"error": str(exc)}, 400)
    return JSONResponse(_check_json(upload), 201)


def _check_json(upload: Upload) -> dict:
    return {
        "submission_id": upload.submission_id,
        "status": upload.status,
        "refused_reason": upload.refused_reason,
        "errors": upload.errors,
        "warnings": upload.warnings,
        "failures": [
            {k: f[k] for k in ("sheet", "excel_row", "field", "value", "rule", "severity", "hint")}
            | {"column": f.get("column")}
            for f in upload.failures
        ],
        "check_seconds": upload.check_seconds,
        # The report and the marked workbook are written just after the answer; these
        # addresses wait for them.
        "files": {
            alias: f"/submissions/{upload.submission_id}/files/{alias}"
            for alias in ("report.xlsx", "report.html", *(["marked"] if _markable(upload) else []))
        }
        if upload.report_state != "none"
        else {},
    }


def _markable(upload: Upload) -> bool:
    """Whether the clerk's workbook comes back marked: an .xlsx with problems at rows."""
    return bool(
        upload.stored_name
        and upload.stored_name.endswith(".xlsx")
        and any(f.get("excel_row") for f in upload.failures)
    )


def _json_status(status: dict) -> dict:
    return {
        k: (v.isoformat(timespec="seconds") if isinstance(v, datetime) else v)
        for k, v in status.items()
    }


async def _api_submission(request: Request):
    session = _api_session(request)
    upload = _own_upload(request, session)
    state = await run_in_threadpool(_portal(request).warehouse.state)
    return JSONResponse(
        {
            **upload.public(),
            **_check_json(upload),
            "pipeline": _json_status(_upload_status(upload, state)),
        }
    )


async def _api_confirm(request: Request):
    session = _api_session(request)
    upload = _own_upload(request, session)
    _check_csrf(request, session)
    try:
        confirmed = await _confirm(request, session, upload)
    except UploadRefused as exc:
        return JSONResponse({"error": str(exc)}, 409)
    return JSONResponse(confirmed.public())


async def _api_reports(request: Request):
    session = _api_session(request)
    region = None if session.user.is_admin else session.user.region_code
    found = reports(_portal(request).config.paths.out_dir, region)
    return JSONResponse(
        {
            "reports": [
                {
                    "month": r.month,
                    "region_code": r.region_code,
                    "name": r.name,
                    "size": r.size,
                    "modified": r.modified.isoformat(timespec="seconds"),
                    "url": f"/reports/{r.month}/{r.name}",
                }
                for r in found
            ]
        }
    )


async def _api_data(request: Request):
    session = _api_session(request)
    table, region, found = await _published(request, session)
    if found is None:
        return JSONResponse({"table": table, "published": False, "rows": []})
    columns, rows, total = found
    return JSONResponse(
        {
            "table": table,
            "published": True,
            "region_code": region,
            "total": total,
            "rows": [
                {c: _json_value(v) for c, v in zip(columns, row, strict=True)} for row in rows
            ],
        }
    )


def _json_value(value):
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)


async def _api_progress(request: Request):
    session = _api_session(request)
    brd = await run_in_threadpool(_board_for, request, session)
    return JSONResponse(brd.public())


async def _api_remind(request: Request):
    session = _api_session(request)
    _admin(session)
    _check_csrf(request, session)
    try:
        body = await request.json() if await request.body() else {}
    except ValueError:
        body = {}
    codes = body.get("regions") if isinstance(body, dict) else None
    _, result = await _send_reminders(request, session, codes)
    return JSONResponse(result.__dict__)


# --------------------------------------------------------------------------- errors


async def _http_error(request: Request, exc: HTTPException):
    if exc.status_code in (301, 302, 303) and exc.headers:
        return RedirectResponse(exc.headers["location"], exc.status_code)
    text = exc.detail if exc.detail and exc.status_code != 404 else "页面不存在 [not found]"
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": text}, exc.status_code)
    return _render(request, "error.html", _session(request), exc.status_code, message=text)


def _rule_name(rule: str | None) -> str:
    if not rule:
        return ""
    from dagster_project.quality.rules import rule_name

    return rule_name(rule)


def _when(value) -> str:
    if not value:
        return "—"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return f"{value:%Y-%m-%d %H:%M}"
