"""CSV cells a spreadsheet will not run: every CSV summitwatch writes (CLI and web) goes through here.

Excel, LibreOffice and Google Sheets read a cell that starts with `=`, `+`, `-`, `@`, a
tab or a carriage return as a formula, so a scraped title such as `=HYPERLINK(...)`
would run on the reader's machine (CSV injection). Such text gets a leading apostrophe,
which spreadsheets take as "this is text" and do not show. Numbers are left as they are.
"""

from __future__ import annotations

from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """`value`, with an apostrophe in front when it is text a spreadsheet would run."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
