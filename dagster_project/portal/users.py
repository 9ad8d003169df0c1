"""Accounts, sessions and login throttling, in one SQLite file of the portal's state folder.

* A county account belongs to one region_code of the regions reference; an admin account
  is the project centre (no region).
* Passwords are kept only as argon2id hashes (argon2-cffi); a hash made with older
  parameters is replaced at the next successful login.
* A session is a random token in an HttpOnly cookie; the store keeps only its SHA-256, so
  a copy of the file opens no session. Each session has its own CSRF token.
* Failed logins are counted per account and per client address: past the limit within
  the window, logins are refused until the window has passed, even with the right password.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from dagster_project.settings import BEIJING

LOGIN_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{2,32}$")
MIN_PASSWORD_CHARS = 8
SESSION_HOURS = 12
FAILURE_LIMIT = 5  # per account
# per client address: clerks of several counties may sit behind one proxy
CLIENT_FAILURE_LIMIT = 20
FAILURE_WINDOW = timedelta(minutes=15)

_SCHEMA = """
create table if not exists users (
    login text primary key,
    region_code text,              -- null for an admin
    is_admin integer not null,
    password_hash text not null,
    disabled_at text,
    created_at text not null
);
create table if not exists sessions (
    token_sha256 text primary key,
    login text not null references users(login),
    csrf_token text not null,
    created_at text not null,
    expires_at text not null
);
create table if not exists login_failures (
    login text not null,
    client text not null,
    at text not null
);
"""


@dataclass(frozen=True)
class User:
    login: str
    region_code: str | None
    is_admin: bool
    disabled: bool = False
    created_at: str = ""

    @property
    def role(self) -> str:
        return "admin" if self.is_admin else "county"


@dataclass(frozen=True)
class Session:
    user: User
    csrf_token: str


class UserError(ValueError):
    """A request the store refuses; str(exc) says why, in Chinese, to the operator."""


class Throttled(Exception):
    """Too many failed logins for this account or address; retry after `until`."""

    def __init__(self, until: datetime):
        super().__init__(until)
        self.until = until


def now() -> datetime:
    return datetime.now(BEIJING)


class UserStore:
    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._hasher = PasswordHasher()
        self._lock = threading.Lock()
        with self._connect() as con:
            con.executescript(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        con.execute("pragma journal_mode=wal")
        con.execute("pragma foreign_keys=on")
        return con

    # ------------------------------------------------------------------ accounts

    def add(self, login: str, password: str, region_code: str | None, is_admin: bool) -> User:
        if not LOGIN_PATTERN.match(login):
            raise UserError(
                f"账号名“{login}”不合规：只用字母、数字和 _ . -，2–32 个字符 [bad login name]"
            )
        if len(password) < MIN_PASSWORD_CHARS:
            raise UserError(f"密码至少 {MIN_PASSWORD_CHARS} 个字符 [password too short]")
        if is_admin == (region_code is not None):
            raise UserError("账号须二选一：--region 区划代码，或 --admin [region or admin]")
        with self._lock, self._connect() as con:
            if con.execute("select 1 from users where login = ?", [login]).fetchone():
                raise UserError(f"账号“{login}”已存在 [login exists]")
            con.execute(
                "insert into users values (?, ?, ?, ?, null, ?)",
                [login, region_code, int(is_admin), self._hasher.hash(password), _iso(now())],
            )
        return self.get(login)

    def get(self, login: str) -> User | None:
        with self._connect() as con:
            row = con.execute(
                "select login, region_code, is_admin, disabled_at, created_at from users "
                "where login = ?",
                [login],
            ).fetchone()
        return _user(row) if row else None

    def list(self) -> list[User]:
        with self._connect() as con:
            rows = con.execute(
                "select login, region_code, is_admin, disabled_at, created_at from users "
                "order by is_admin desc, region_code, login"
            ).fetchall()
        return [_user(r) for r in rows]

    def disable(self, login: str) -> User:
        with self._lock, self._connect() as con:
            changed = con.execute(
                "update users set disabled_at = coalesce(disabled_at, ?) where login = ?",
                [_iso(now()), login],
            ).rowcount
            if not changed:
                raise UserError(f"没有账号“{login}” [no such login]")
            con.execute("delete from sessions where login = ?", [login])
        return self.get(login)

    # ------------------------------------------------------------------ logging in

    def authenticate(self, login: str, password: str, client: str) -> User | None:
        """The user when the password is right and the account enabled, else None; raises
        Throttled (without checking the password) while this account or address is over
        the failure limit. Every refusal counts as a failure."""
        at = now()
        with self._lock, self._connect() as con:
            since = _iso(at - FAILURE_WINDOW)
            con.execute("delete from login_failures where at < ?", [since])
            for column, value, limit in (
                ("login", login, FAILURE_LIMIT),
                ("client", client, CLIENT_FAILURE_LIMIT),
            ):
                times = [
                    r[0]
                    for r in con.execute(
                        f"select at from login_failures where {column} = ? order by at desc",
                        [value],
                    ).fetchall()
                ]
                if len(times) >= limit:
                    raise Throttled(datetime.fromisoformat(times[limit - 1]) + FAILURE_WINDOW)
            row = con.execute(
                "select password_hash, disabled_at from users where login = ?", [login]
            ).fetchone()
            ok = False
            if row is not None:
                try:
                    ok = self._hasher.verify(row[0], password)
                except (VerificationError, InvalidHashError):
                    ok = False
            else:
                # The same work for an unknown login: timing tells no one which exist.
                self._hasher.hash(password)
            if not ok or row[1] is not None:
                con.execute(
                    "insert into login_failures values (?, ?, ?)", [login, client, _iso(at)]
                )
                return None
            if self._hasher.check_needs_rehash(row[0]):
                con.execute(
                    "update users set password_hash = ? where login = ?",
                    [self._hasher.hash(password), login],
                )
            con.execute("delete from login_failures where login = ?", [login])
        return self.get(login)

    def open_session(self, user: User) -> tuple[str, Session]:
        """A new session for `user`: the cookie's token and the session."""
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        at = now()
        with self._lock, self._connect() as con:
            con.execute("delete from sessions where expires_at < ?", [_iso(at)])
            con.execute(
                "insert into sessions values (?, ?, ?, ?, ?)",
                [
                    _digest(token),
                    user.login,
                    csrf,
                    _iso(at),
                    _iso(at + timedelta(hours=SESSION_HOURS)),
                ],
            )
        return token, Session(user, csrf)

    def session(self, token: str | None) -> Session | None:
        if not token:
            return None
        with self._connect() as con:
            row = con.execute(
                "select s.csrf_token, s.expires_at, u.login, u.region_code, u.is_admin, "
                "u.disabled_at, u.created_at from sessions s join users u using (login) "
                "where s.token_sha256 = ?",
                [_digest(token)],
            ).fetchone()
        if row is None or row[1] < _iso(now()) or row[5] is not None:
            return None
        return Session(_user(row[2:]), row[0])

    def close_session(self, token: str | None) -> None:
        if token:
            with self._lock, self._connect() as con:
                con.execute("delete from sessions where token_sha256 = ?", [_digest(token)])


def _user(row) -> User:
    login, region_code, is_admin, disabled_at, created_at = row
    return User(login, region_code, bool(is_admin), disabled_at is not None, created_at)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _iso(at: datetime) -> str:
    return at.isoformat(timespec="seconds")
