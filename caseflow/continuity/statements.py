"""The measure's statements, kept in each process for the inputs they were built from.

Building the dashboard's one statement (the cohort's CTE, every grouping, the pathways'
conditions) costs more CPU than PostgreSQL takes to run it on a partnership's releases: a few
thousand SQL expression objects made and joined on every request, then keyed by SQLAlchemy for
its compiled cache. The statement holds no personal data and nothing per user: the rules
(settings), the dates, the scope's condition (a partnership's areas, by organisation id) and
the shape of the page. So it is kept here, by everything it is built from, and built again only
when one of them changes:

- the statement's kind and its plain inputs (period, dates, today, dimensions, the settings
  versions by digest, the months read from kept counts, whether from the records), which each
  caller puts in its key;
- the scope's condition, by ``condition_key``: its shape and the values it binds (a condition
  SQLAlchemy cannot key is never kept: the statement is built each time);
- the database's dialect (the same process may hold a PostgreSQL and a SQLite app).

Nothing else goes into a statement, so a kept one is the one that would be built: a new day, a
settings change (a new digest), a month counted or made stale, another partnership or period
is another key. What the statement reads (the facts, the kept counts) is read when it runs.
The kept statements are bounded (``LIMIT``), least recently used forgotten first: a
dashboard's is about a third of a megabyte, and a process serves a few partnerships' few
periods a day.
"""

from collections.abc import Callable, Hashable

from caseflow.continuity import entries as cohort
from caseflow.kept_statements import KeptStatements, same_sql

LIMIT = 32

_kept = KeptStatements(LIMIT)


def condition_key(condition) -> Hashable | None:
    """A SQL condition as a key: its shape, as SQLAlchemy's compiled cache keys it, and the
    values it binds. None when SQLAlchemy cannot key it."""
    return same_sql(condition)


def built(key: Hashable | None, build: Callable[[], object]):
    """The statement ``build`` makes, kept by ``key`` with the reporting session's dialect; a
    key of None is never kept."""
    return _kept.built(key, build, dialect=cohort.session().get_bind().dialect.name)


def forget() -> None:
    """Forget every kept statement (a test counting builds starts from none)."""
    _kept.forget()
