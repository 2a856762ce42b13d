"""Which releases each pathway takes part in, for the measure's breakdown by pathway.

Each pathway registers, when its package is loaded, a SQL condition saying whether a release
(a custody episode, by its id and its person's id) is on that pathway. The measure imports no
pathway: a new pathway is a new row of the breakdown without an edit here or in the services.
A release can be on several pathways, so the rows of that breakdown may add up to more than the
cohort; "No pathway" holds the releases on none.

A condition is made from its two columns alone (it reads the pathway's tables when it runs, not
when it is made): the measure keeps the statements it builds from the registered conditions
(``continuity.statements``), keyed by the registration, not by what a condition read.
"""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement

# (episode id column, person id column) -> condition on that release
OnRelease = Callable[[object, object], ColumnElement[bool]]


@dataclass(frozen=True)
class Pathway:
    code: str
    label: str
    on_release: OnRelease


_pathways: dict[str, Pathway] = {}


def pathway(code: str, label: str, on_release: OnRelease) -> None:
    """Register a pathway's condition on a release (once per code)."""
    _pathways[code] = Pathway(code, label, on_release)


def registered() -> list[Pathway]:
    """The registered pathways, in the order their packages were loaded."""
    return list(_pathways.values())
