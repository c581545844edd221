"""Every CSV cell the platform writes is safe to open in a spreadsheet, and reads back as typed."""

import pytest

from cohortkit.common.spreadsheets import spreadsheet_safe, spreadsheet_unprotect


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+cmd", "'+1+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-5", "-5"),
        ("+1.5e3", "+1.5e3"),
        ("Ada Lovelace", "Ada Lovelace"),
        (None, ""),
        (42, "42"),
    ],
)
def test_formulas_are_defused_and_plain_values_kept(value, cell):
    assert spreadsheet_safe(value) == cell


@pytest.mark.parametrize("text", ["=1+1", "-x", "@a", "'quoted", "plain", "-5"])
def test_a_protected_cell_reads_back_as_typed(text):
    assert spreadsheet_unprotect(spreadsheet_safe(text)) == text
