"""The CSV files Caseflow hands out, written so a spreadsheet shows every cell as text.

A spreadsheet reads a cell that starts with = + - or @ as a formula, and some skip a leading tab
or carriage return before looking (CSV injection, OWASP). An export holds what people typed, so
any such cell gets a leading apostrophe: the spreadsheet shows the text and runs nothing.
Lines end in CRLF, as RFC 4180 says.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from caseflow.dates import as_utc

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """A value as a cell a spreadsheet will show as text; None is an empty cell."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def csv_line(values: Iterable[object]) -> str:
    """One CSV line, every cell defused, quoted where the CSV format needs it."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([csv_cell(value) for value in values])
    return buffer.getvalue()


def csv_lines(rows: Iterable[Iterable[object]]) -> str:
    """Several lines at once, for an export sent in batches."""
    return "".join(csv_line(row) for row in rows)


@dataclass
class CsvExport:
    """An export ready to send: how many rows it holds, its file name, and its lines as they are
    produced (a large export is read in batches while it downloads)."""

    rows: int
    filename: str
    lines: Iterator[str]


def stamped_filename(stem: str, now: datetime | None = None) -> str:
    """stem-YYYYMMDD-HHMMSS.csv, in UTC: the name says when the export was made."""
    return f"{stem}-{as_utc(now or datetime.now(UTC)):%Y%m%d-%H%M%S}.csv"
