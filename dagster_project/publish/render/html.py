"""The published pages: one Jinja2 environment over publish/templates/, where base.html
holds the shared head and inlines xmk.css, so a page is self-contained — no external
address, no script — and opens the same offline, in a mail client or printed.

Every value a template prints is escaped (autoescape), exactly as `html.escape` does, so a
page's bytes do not depend on which of the two wrote it."""

from __future__ import annotations

import html
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"


def escape_html(value) -> str:
    return "" if value is None else html.escape(str(value), quote=True)


def _escaped(value) -> Markup:
    """What `{{ value }}` prints: markup as it is, None as nothing, anything else escaped."""
    return value if isinstance(value, Markup) else Markup(escape_html(value))


def class_attr(css: str | None) -> Markup:
    """` class="…"` for a class, nothing without one."""
    return Markup(' class="{}"').format(css) if css else Markup("")


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        finalize=_escaped,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["class_attr"] = class_attr
    return env


def render_page(template: str, **context) -> str:
    return environment().get_template(template).render(**context)
