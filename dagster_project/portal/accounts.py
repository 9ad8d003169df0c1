"""`xmk users …`: the portal's accounts from the command line (SPEC §9)."""

from __future__ import annotations

import secrets
import sys
from typing import TextIO

from dagster_project.ingest.reference import load_regions
from dagster_project.portal.config import PortalConfig
from dagster_project.portal.users import UserError, UserStore

DEMO_ADMIN = "admin"


def _store() -> tuple[UserStore, PortalConfig]:
    config = PortalConfig.from_env()
    return UserStore(config.users_db), config


def _regions(config: PortalConfig) -> dict[str, dict]:
    rows, _ = load_regions(config.paths.raw_dir)
    return {r["region_code"]: r for r in rows}


def add_account(login: str, region: str | None, admin: bool, stdin: TextIO) -> int:
    store, config = _store()
    if region is not None and region not in _regions(config):
        known = ", ".join(sorted(_regions(config)))
        print(
            f"xmk users add: 区划代码 {region} 不在区划表中（{config.paths.reference_dir}/"
            f"regions.csv 或演示城市）；可用的代码：{known}",
            file=sys.stderr,
        )
        return 2
    password = stdin.readline().rstrip("\r\n")
    try:
        user = store.add(login, password, region, admin)
    except UserError as exc:
        print(f"xmk users add: {exc}", file=sys.stderr)
        return 2
    what = (
        "项目中心管理员"
        if user.is_admin
        else f"{_regions(config)[region]['region_name']}（{region}）"
    )
    print(f"账号 {user.login} 已开通：{what}")
    return 0


def list_accounts() -> int:
    store, config = _store()
    regions = _regions(config)
    users = store.list()
    if not users:
        print("还没有账号；用 xmk users add LOGIN --region CODE --password-stdin 开通")
        return 0
    print(f"{'账号':<12}{'角色':<8}{'单位':<24}{'状态':<6}开通时间")
    for u in users:
        unit = (
            "市发改委项目中心"
            if u.is_admin
            else (f"{regions.get(u.region_code, {}).get('region_name', '?')}（{u.region_code}）")
        )
        role = "管理员" if u.is_admin else "报送单位"
        state = "停用" if u.disabled else "启用"
        print(f"{u.login:<14}{role:<6}{unit:<22}{state:<5}{u.created_at}")
    return 0


def disable_account(login: str) -> int:
    store, _ = _store()
    try:
        store.disable(login)
    except UserError as exc:
        print(f"xmk users disable: {exc}", file=sys.stderr)
        return 2
    print(f"账号 {login} 已停用，其登录会话已结束")
    return 0


def demo_accounts() -> int:
    """One account per region of the regions reference (login = region_code) and one
    admin; each new password is printed once, here, and kept only as its hash."""
    store, config = _store()
    made, kept = [], []
    wanted = [(code, r["region_name"], code, False) for code, r in _regions(config).items()]
    wanted.append((DEMO_ADMIN, "市发改委项目中心（管理员）", None, True))
    for login, name, region, admin in wanted:
        if store.get(login) is not None:
            kept.append(login)
            continue
        password = secrets.token_urlsafe(9)
        store.add(login, password, region, admin)
        made.append((login, name, password))
    if made:
        print("门户账号（密码只显示这一次，请妥善保存）：")
        print(f"  {'账号':<10}{'密码':<16}单位")
        for login, name, password in made:
            print(f"  {login:<12}{password:<18}{name}")
    if kept:
        print(f"已有账号 {len(kept)} 个，密码未改动：{', '.join(kept)}")
    print(f"账号保存在 {config.users_db}")
    return 0
