"""One pager for every list Caseflow shows a page at a time: LIMIT and OFFSET on a SELECT, in SQL.

Each list's query ends its ORDER BY on an id, so a row is never shown twice or skipped between
pages. One row more than a page holds is read to tell whether there is a next page, so a list
that shows no total never counts its rows.

Page numbers arrive from addresses and forms, so anything can: something that is not a whole
number, zero or a negative number is page 1, and nothing goes past ``LAST_PAGE`` (an offset
larger than the database takes would be an error page instead of an empty one).
"""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Select, func, select

from caseflow.extensions import db

LAST_PAGE = 100_000


def page_number(value: object) -> int:
    """The page asked for, as a number from 1 to LAST_PAGE, whatever was sent."""
    try:
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return 1
    return max(1, min(number, LAST_PAGE))


@dataclass
class Page:
    """One page of a list: its rows, where it is, and what the page says about the whole list.

    ``total`` is None where the page shows no total. A count stopped at ``counted_up_to`` (a
    broad search over a very large table) makes ``total`` one more than that: the page then says
    "more than". ``filters`` are the list's own criteria, carried into the links to other pages.
    """

    rows: list
    page: int
    size: int
    has_next: bool = False
    total: int | None = None
    counted_up_to: int | None = None
    filters: dict = field(default_factory=dict)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def pages(self) -> int | None:
        """How many pages the list fills (at least one), where the total is known exactly."""
        if self.total is None or self.more_than_counted:
            return None
        return max(1, -(-self.total // self.size))

    @property
    def more_than_counted(self) -> bool:
        return self.counted_up_to is not None and (self.total or 0) > self.counted_up_to

    def map(self, describe: Callable[[Any], Any]) -> "Page":
        """The same page with each row replaced by what describe makes of it."""
        return replace(self, rows=[describe(row) for row in self.rows])


def _count(query: Select, up_to: int | None, session) -> int:
    rows = query.order_by(None)
    if up_to is not None:
        rows = rows.limit(up_to + 1)
    return session.scalar(select(func.count()).select_from(rows.subquery())) or 0


def page_of(
    query: Select,
    page: object = 1,
    *,
    size: int,
    count: bool = False,
    count_up_to: int | None = None,
    clamp_to_last: bool = False,
    filters: dict | None = None,
    session=None,
) -> Page:
    """One page of query's rows, in the query's order.

    A query of one entity or column gives its values; a query of several gives rows of them.
    ``count`` counts every row for the page's total; ``count_up_to`` stops counting past that
    many. ``clamp_to_last`` shows the last page for a page number past it (it needs the exact
    count); otherwise a page past the end is empty.
    """
    number = page_number(page)
    session = session or db.session  # a reporting list passes the replica's (reporting_db)
    total = _count(query, count_up_to, session) if count or count_up_to is not None else None
    if clamp_to_last:
        if total is None or count_up_to is not None:
            raise ValueError("clamp_to_last needs the exact total: pass count=True")
        number = min(number, max(1, -(-total // size)))
    result = session.execute(query.limit(size + 1).offset((number - 1) * size))
    if len(query.column_descriptions) == 1:
        # unique(): a list that eager-loads a collection by a join must be made unique.
        found = list(result.unique().scalars())
    else:
        found = list(result.all())
    return Page(
        rows=found[:size],
        page=number,
        size=size,
        has_next=len(found) > size,
        total=total,
        counted_up_to=count_up_to,
        filters=dict(filters or {}),
    )
