"""The one CSV writer: every cell a spreadsheet could run as a formula is shown as text instead.

Spreadsheets start a formula at = + - @, and some skip a tab or carriage return first (OWASP,
CSV injection). Such a cell gains a leading apostrophe; anything else is written as it is.
"""

import csv
import io
from datetime import UTC, datetime, timedelta, timezone

import pytest

from caseflow.exports import csv_cell, csv_line, csv_lines, stamped_filename


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x.test")', '\'=HYPERLINK("http://x.test")'),
        ("+44 1632 960000", "'+44 1632 960000"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
    ],
)
def test_a_cell_starting_like_a_formula_is_defused(value, written):
    assert csv_cell(value) == written


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("Nurse Ratchet", "Nurse Ratchet"),
        ("a=b, c+d", "a=b, c+d"),
        (" =spaced", " =spaced"),
        (42, "42"),
        (-1, "'-1"),
        (None, ""),
        ("", ""),
    ],
)
def test_anything_else_is_written_as_it_is(value, written):
    assert csv_cell(value) == written


def test_a_line_is_quoted_where_csv_needs_it_and_ends_in_crlf():
    line = csv_line(["plain", "=cmd()", 'say "hi", then go', None])
    assert line == 'plain,\'=cmd(),"say ""hi"", then go",\r\n'
    assert list(csv.reader(io.StringIO(line))) == [["plain", "'=cmd()", 'say "hi", then go', ""]]


def test_lines_in_a_batch_are_each_defused():
    assert csv_lines([["@a", "b"], ["c", "+d"]]) == "'@a,b\r\nc,'+d\r\n"


def test_an_export_is_named_for_when_it_was_made_in_utc():
    london_summer = timezone(timedelta(hours=1))
    made = datetime(2025, 7, 1, 0, 30, 5, tzinfo=london_summer)
    assert stamped_filename("audit-log", made) == "audit-log-20250630-233005.csv"
    assert stamped_filename("x", datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)) == (
        "x-20250102-030405.csv"
    )
