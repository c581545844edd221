"""Cells a spreadsheet reads as typed: every CSV the platform writes goes through
:func:`spreadsheet_safe`, and every CSV it reads back through :func:`spreadsheet_unprotect`.

A cell starting with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return, which some
spreadsheets skip before looking) is run as a formula by Excel, LibreOffice and Google Sheets, so
a person's name can become a formula on an organizer's machine. Such cells get a leading ``'``;
plain numbers (``-5``, ``+1.5e3``) are kept, as a spreadsheet reads them as numbers anyway.
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def spreadsheet_safe(value: object) -> str:
    """The cell text for ``value``: formulas defused with a leading ``'``, plain numbers kept."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def spreadsheet_unprotect(cell: str) -> str:
    """The text a cell held before :func:`spreadsheet_safe` protected it."""
    if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS):
        return cell[1:]
    return cell
