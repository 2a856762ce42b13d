"""What the continuity measure's counts mean to a page: a cell's ``Figures``, the breakdowns a
page may ask for (``DIMENSIONS``) and how their keys are named, and the counting statement's rows
assembled into ``Counted``.

Apart from the statement that counts them (``continuity.grouping``) because none of this is its
SQL: the statement's rows and the settled months' kept counts (``continuity.rollups``, rows of
the same shape) are assembled here alike, and the pages, exports, reconciliation and case pages
read figures, rows and the names of keys without building a statement. Keys the statement does
not name itself (``NAMED_IN_SQL``) are named after it, one query per dimension shown.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select

from caseflow.codes import code_list
from caseflow.continuity import entries as cohort
from caseflow.continuity import pathway_membership
from caseflow.continuity.periods import Period
from caseflow.continuity.rules import Outcome, Settings
from caseflow.organisations.models import LocalAuthority, Organisation

# Figures -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """The counts of one cell, and the rate they make: met / (met + not met + pending)."""

    met: int = 0
    not_met: int = 0
    pending: int = 0
    excluded: int = 0

    @property
    def cohort(self) -> int:
        return self.met + self.not_met + self.pending

    @property
    def rate(self) -> float | None:
        return self.met / self.cohort if self.cohort else None

    @property
    def provisional(self) -> bool:
        return self.pending > 0

    def as_dict(self) -> dict:
        return {
            "cohort": self.cohort,
            "met": self.met,
            "not_met": self.not_met,
            "pending": self.pending,
            "excluded": self.excluded,
            "rate": None if self.rate is None else round(self.rate, 4),
            "provisional": self.provisional,
        }


def figures_of(counts: Iterable[tuple[str, int]]) -> Figures:
    found: dict[str, int] = {}
    for outcome, count in counts:
        found[outcome] = found.get(outcome, 0) + count
    return Figures(
        met=found.get(Outcome.MET, 0),
        not_met=found.get(Outcome.NOT_MET, 0),
        pending=found.get(Outcome.PENDING, 0),
        excluded=found.get(Outcome.EXCLUDED, 0),
    )


# Dimensions and the names of their keys ------------------------------------------------------


def organisation_names(ids) -> dict[str, str]:
    wanted = [uuid.UUID(value) for value in ids if value is not None]
    if not wanted:
        return {}
    rows = (
        cohort.session()
        .execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(wanted)))
        .all()
    )
    return {str(key): name for key, name in rows}


def authority_names(codes) -> dict[str, str]:
    wanted = [value for value in codes if value is not None]
    if not wanted:
        return {}
    rows = (
        cohort.session()
        .execute(
            select(LocalAuthority.ons_code, LocalAuthority.name).where(
                LocalAuthority.ons_code.in_(wanted)
            )
        )
        .all()
    )
    return dict(rows)


def _code_names(list_key: str):
    def names(values) -> dict[str, str]:
        codes = code_list(list_key)
        return {value: codes.label_of(value) for value in values if value is not None}

    return names


def _same(values) -> dict[str, str]:
    return {value: value for value in values if value is not None}


def pathway_names(codes) -> dict[str, str]:
    return {found.code: found.label for found in pathway_membership.registered()}


PATHWAY = "pathway"
# dimension: (heading, how its keys are named)
DIMENSIONS = {
    "region": ("Region", _same),
    "local_authority": ("Local authority", authority_names),
    "prison": ("Prison", organisation_names),
    "provider": ("Provider", organisation_names),
    "substance_group": ("Substance group", _code_names("substance_group")),
    "sex": ("Sex", _code_names("sex")),
    "ethnic_group": ("Ethnic group", _code_names("ethnic_group")),
    "age_band": ("Age band", _same),
    PATHWAY: ("Pathway", pathway_names),
}
# Breakdowns whose keys are organisation ids.
ORGANISATION_DIMENSIONS = ("prison", "provider")
# Breakdowns whose keys are named in the statement itself: (table's key column, its name).
NAMED_IN_SQL = {
    "local_authority": (LocalAuthority.ons_code, LocalAuthority.name),
    "prison": (Organisation.id, Organisation.name),
    "provider": (Organisation.id, Organisation.name),
}
NOT_RECORDED = "Not recorded"
NO_PATHWAY = "No pathway"


@dataclass(frozen=True)
class Row:
    key: str | None
    label: str
    figures: Figures


@dataclass(frozen=True)
class Counted:
    """What one statement counted: the headline's parts, the breakdowns and the trend."""

    settings: Settings
    figures: Figures
    attended: Figures
    exclusions: dict[str, int]
    breakdowns: dict[str, list[Row]] = field(default_factory=dict)
    trend: list[tuple[Period, Figures]] = field(default_factory=list)


# The statement's rows, assembled --------------------------------------------------------------


def assemble(found, settings: Settings, dimensions: list[str], months: list[Period]) -> Counted:
    """The statement's rows (part, key, name, outcome, attended, exclusion reason, n), live and
    kept alike, as the headline, each breakdown asked for and the trend's months in order."""
    outcomes: list[tuple[str, int]] = []
    attended: list[tuple[str, int]] = []
    exclusions: dict[str, int] = {}
    cells: dict[str, dict[str | None, list[tuple[str, int]]]] = {d: {} for d in dimensions}
    names: dict[str, dict[str, str]] = {d: {} for d in dimensions}
    by_month: dict[str, list[tuple[str, int]]] = {}
    for part, key, name, outcome, attendance, reason, n in found:
        if part == "headline":
            outcomes.append((outcome, n))
            if outcome == Outcome.EXCLUDED:
                exclusions[reason] = exclusions.get(reason, 0) + n
            else:
                attended.append((attendance, n))
        elif part == "trend":
            by_month.setdefault(key, []).append((outcome, n))
        else:
            if key is not None and part in ORGANISATION_DIMENSIONS:
                key = str(uuid.UUID(key))  # SQLite gives the hex digits alone
            cells[part].setdefault(key, []).append((outcome, n))
            if name is not None:
                names[part][key] = name
    return Counted(
        settings=settings,
        figures=figures_of(outcomes),
        attended=figures_of(attended),
        exclusions=exclusions,
        breakdowns={d: _rows(d, cells[d], names[d]) for d in dimensions},
        trend=[(month, figures_of(by_month.get(month.code, []))) for month in months],
    )


def _rows(dimension: str, cells, names: dict[str, str]) -> list[Row]:
    """A breakdown's rows, named, sorted by rate (highest first, none last), then label. Keys
    only kept counts hold (``continuity.rollups``) are named by one query per dimension."""
    if dimension not in NAMED_IN_SQL:
        names = DIMENSIONS[dimension][1](list(cells))
    elif unnamed_keys := [key for key in cells if key and key not in names]:
        names = {**names, **DIMENSIONS[dimension][1](unnamed_keys)}
    unnamed = NO_PATHWAY if dimension == PATHWAY else NOT_RECORDED
    rows = [
        Row(key=key, label=names.get(key, unnamed) if key else unnamed, figures=figures_of(counts))
        for key, counts in cells.items()
    ]
    rows.sort(key=lambda row: (row.figures.rate is None, -(row.figures.rate or 0), row.label))
    return rows
