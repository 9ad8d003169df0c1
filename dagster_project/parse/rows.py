"""Telling data rows from 合计/小计/其中, section rows (一、产业项目) and notes.

Every non-empty row under the header is one of: a data row, or a structural row with a
kind. Nothing is skipped without a kind, so rows read = loaded + quarantined + structural.
"""

from __future__ import annotations

import re
from itertools import islice

from dagster_project.parse.text import normalise_header

TOTAL = "total"
SUBTOTAL = "subtotal"
SECTION = "section"
NOTE = "note"
BLANK = "numbered_blank"

_TOTAL_WORDS = re.compile(r"^(全市|全县|全区|本单位|总)?(合计|总计)")
_SUBTOTAL_WORDS = re.compile(r"^(小计|其中[:：]?|其中$|分项合计)")
_SECTION_SEQ = re.compile(
    r"^([一二三四五六七八九十]+([、.．]|$)|[（(][一二三四五六七八九十]+[）)]|第[一二三四五六七八九十]+[部类])"
)
_NOTE_WORDS = re.compile(
    r"^(注|备注|说明|填报说明|填表说明|填报人|填表人|审核人|制表|联系人|负责人)[:：]?"
)


def classify(
    texts: list[str | None],
    seq_col: int | None,
    name_col: int | None,
    identity_cols: list[int],
) -> str | None:
    """The structural kind of a row, or None for a data row.

    `texts` are the row's cells as clean_text gives them. `identity_cols` are the columns
    that only a project fills (项目法人, 建设地点, 责任人, 项目代码…); a row with a section
    number (一、/（一）) and nothing in them is a section heading, even when it carries the
    section's summed amounts.
    """
    # The first three filled cells: enough to find the label, and to count the filled
    # cells when there are fewer than three.
    first = list(islice(((i, t) for i, t in enumerate(texts) if t is not None), 3))
    if not first:
        return None  # caller drops wholly empty rows before classifying
    first_col, first_text = first[0]

    for i, t in first:
        if i not in (seq_col, name_col, first_col):
            continue
        if "计" not in t and "其" not in t:
            continue  # every total and subtotal word holds one of them
        norm = normalise_header(t)
        if _TOTAL_WORDS.match(norm):
            return TOTAL
        if _SUBTOTAL_WORDS.match(norm):
            return SUBTOTAL

    has_identity = any(texts[i] is not None for i in identity_cols if i < len(texts))
    if not has_identity and _SECTION_SEQ.match(first_text):
        return SECTION
    if not has_identity and len(first) <= 2:
        if _NOTE_WORDS.match(first_text):
            return NOTE
        if len(first) == 1 and first_col == seq_col:
            return BLANK  # a pre-numbered empty line of the template
    if len(first) == 1 and _NOTE_WORDS.match(first_text) and len(first_text) > 4:
        return NOTE
    return None
