"""项目代码 (the national investment-project code) from cells.

The code is issued by the national online approval platform as
``YYYY-XXXXXX-XX-XX-XXXXXX`` (year, region, industry, type, serial) or, for older
projects, ``YYMM-XXXXXX-XX-XX-XXXXXX``. Counties type it with full-width digits, spaces
and whatever dash their input method gives.
"""

from __future__ import annotations

import re

from .text import clean_text, squash

# Dashes an input method may give for "-"; 、 and _ appear where a dash key was missed.
# Full-width － is already "-" after half-width conversion.
_DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2015\u2212_、-]+")

# The first part is a year 2000-2099 or, in the older format, YYMM with a real month.
_PROJECT_CODE = re.compile(r"^(?:20\d{2}|\d{2}(?:0[1-9]|1[0-2]))-\d{6}-\d{2}-\d{2}-\d{6}$")


def normalise_project_code(value: object) -> str | None:
    """A code in one spelling: half-width, no spaces, "-" dashes, upper case.

    Never raises: a malformed code is kept as written so the check can report it.
    """
    text = clean_text(value)
    if text is None:
        return None
    code = _DASHES.sub("-", squash(text)).upper()
    return code or None


def is_valid_project_code(code: str) -> bool:
    """True for a normalised code in the national format (24 characters with dashes)."""
    return bool(_PROJECT_CODE.match(code or ""))
