"""SQL statements built once and run again, kept in each process by what they are built from.

Building a large SELECT (a worklist's conditions, eager loads and paging; the continuity
measure's cohort and groupings) costs about as much CPU as PostgreSQL takes to run it, and
SQLAlchemy then works out its compiled-cache key from the whole expression tree. A built
statement is immutable and holds no personal data: only the rules, the dates and the ids the
scope rule binds. Kept and run again, neither cost is paid.

A statement may only be reused where it would be built the same, so its key must name every
value it is built from. ``same_sql`` gives the part of a key for SQL conditions handed in from
elsewhere (the scope rule's): their structure, as SQLAlchemy's compiled cache keys it, and the
values they bind. A condition SQLAlchemy cannot key gives None, and a key of None is never
kept: the statement is built each time. The database's dialect is part of every key, as one
process may hold a PostgreSQL and a SQLite application.

Each store is bounded, the least recently used forgotten first.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

Statement = TypeVar("Statement")


def _frozen(value):
    """A bound value as part of a key (an IN list is a list)."""
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(_frozen(item) for item in value)
    return value


def same_sql(*clauses) -> Hashable | None:
    """What makes SQL clauses the same SQL with the same values; None when SQLAlchemy cannot
    key one of them."""
    identity = []
    for clause in clauses:
        found = clause._generate_cache_key()
        if found is None:
            return None
        identity.append((found.key, tuple(_bound(b) for b in found.bindparams)))
    return tuple(identity)


def _bound(parameter):
    """A bound value as part of a key. One worked out when the statement runs (the scope rule's
    moment) is not a value the statement is built from: it is keyed by the function giving it,
    not by what that gives now, which a kept statement would never meet again."""
    if parameter.callable is not None:
        return ("when run", parameter.callable)
    return _frozen(parameter.effective_value)


class KeptStatements:
    """One store of built statements, at most ``limit`` of them."""

    def __init__(self, limit: int):
        self.limit = limit
        self._kept: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._kept)

    def built(
        self, key: Hashable | None, build: Callable[[], Statement], *, dialect: str
    ) -> Statement:
        """The statement ``build`` makes, kept by ``key`` and the dialect it runs on; a key of
        None is never kept (a caller whose ``same_sql`` gave None passes None)."""
        if key is None:
            return build()
        key = (dialect, key)
        with self._lock:
            statement = self._kept.get(key)
            if statement is not None:
                self._kept.move_to_end(key)
                return statement
        statement = build()
        with self._lock:
            self._kept[key] = statement
            while len(self._kept) > self.limit:
                self._kept.popitem(last=False)
        return statement

    def forget(self) -> None:
        """Forget every kept statement (a test counting builds starts from none)."""
        with self._lock:
            self._kept.clear()
