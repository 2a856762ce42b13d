"""A page of a list whose statement is built once and run again, counted as it is read.

Building a list's SELECT (its conditions, eager loads and paging) costs about as much CPU as
running it and loading its rows, so a list asks for its statement by a key naming everything
it is built from (``caseflow.kept_statements``): the list, the day, and the scope rule's
``scope_key`` when its conditions are kept with the viewer as a parameter (``kept=True``
conditions, run with ``scope.viewing(user)``). Where a page starts is bound when the
statement runs, so one kept statement serves every page of the list.

The total comes with the page's rows (``count(*) OVER ()``): the list is found once, not once
to count it and again to page it. Only a page past the end, which has no row to carry the
total, counts on its own and shows the last page instead. A list's joins must be to-one (a
person, a plan, a release): a joined collection would count each of its rows.
"""

from collections.abc import Callable, Hashable

from sqlalchemy import Integer, Select, bindparam, func, select

from caseflow.extensions import db
from caseflow.kept_statements import KeptStatements
from caseflow.paging import Page, page_number
from caseflow.planning import generic_plans

kept = KeptStatements(2_000)


def built_once(key: Hashable | None, build: Callable[[], Select]) -> Select:
    """The statement ``build`` makes, kept by key (None: built every time)."""
    return kept.built(key, build, dialect=db.session.get_bind().dialect.name)


SKIPPED = bindparam("rows_before_page", type_=Integer)


def skipping(number: int, size: int) -> dict:
    return {SKIPPED.key: (number - 1) * size}


def kept_page(
    key: Hashable | None,
    build: Callable[[], Select],
    page: object,
    *,
    size: int,
    params: dict | None = None,
    filters: dict | None = None,
    generic_plan: bool = False,
) -> Page:
    """One page of the list ``build()`` selects, in its order, with how many it holds.

    A list of one entity or column gives its values; of several, rows of them. ``params`` are
    the values the kept statement runs with (the viewer of a ``kept=True`` scope condition).
    ``generic_plan``: the rest of the request is planned once for any values
    (``planning.generic_plans``), for a list whose plan does not turn on its values.
    """
    number = page_number(page)
    statement = built_once(
        key,
        lambda: (
            build().add_columns(func.count().over().label("listed")).limit(size + 1).offset(SKIPPED)
        ),
    )
    if generic_plan:
        generic_plans()
    values = {**(params or {}), **skipping(number, size)}
    # Not made unique: rows of columns alone (what is due on a CSTR) may be alike and are each
    # a row of the list; a list's joins are to-one, so no entity comes twice.
    rows = db.session.execute(statement, values).all()
    if not rows and number > 1:
        counting = built_once(
            None if key is None else ("counted", key),
            lambda: select(func.count()).select_from(build().order_by(None).subquery()),
        )
        total = db.session.scalar(counting, params or {}) or 0
        last = max(1, -(-total // size))
        if last < number:
            return kept_page(key, build, last, size=size, params=params, filters=filters)
    return Page(
        # A row of several columns keeps its names; the count is one more at its end.
        rows=[row[0] if len(row) == 2 else row for row in rows[:size]],
        page=number,
        size=size,
        has_next=len(rows) > size,
        total=rows[0].listed if rows else 0,
        filters=dict(filters or {}),
    )
