"""Every table that holds a person's data, registered by the domain that stores it.

Subject access (one export of everything Caseflow holds about a person) is built from this
registry, not from a list of queries in the auditor's code, so a new record type is exported as
soon as its domain registers it. ``tests/audit/test_subject_access.py`` walks the model registry
and fails on any table linked to a person, directly or through its parent, that is neither
registered here nor named in ``NOT_EXPORTED`` with the reason.

A holding is either linked to the person (``link`` is its person column) or nested under
another holding (``link`` is its column naming the parent record, ``parent`` the parent's
section). The export keeps that shape: episodes hold their changes, referrals their events.
"""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from caseflow.extensions import db


@dataclass(frozen=True)
class Holding:
    section: str
    model: type
    link: object  # the column naming the person, or the parent record
    parent: str | None = None
    order_by: tuple = ()


_holdings: dict[str, Holding] = {}

# Tables that link to a person but are not part of their subject access export, and why.
NOT_EXPORTED = {
    "audit_events": "the access log, exported as its own section",
    "break_glass_reviews": "an auditor's verdict on a member of staff's access, not the person's",
    "continuity_release_facts": (
        "the measure's copy of what the export already gives from the person's record, episodes,"
        " referrals and appointments"
    ),
}


def holds_personal_data(
    section: str, model: type, *, link, parent: str | None = None, order_by: tuple = ()
) -> None:
    """Register a table holding a person's data under a section of the subject access export."""
    _holdings[section] = Holding(section, model, link, parent, tuple(order_by))


def holdings() -> list[Holding]:
    return list(_holdings.values())


def records_of(person_id, describe: Callable[[object], dict]) -> dict[str, list[dict]]:
    """Every registered record of one person, each described by ``describe``, nested."""

    def section(holding: Holding, parent_ids: list) -> dict:
        """Records of one holding, grouped by the record (person or parent) they belong to."""
        found: dict = {parent_id: [] for parent_id in parent_ids}
        if not parent_ids:
            return found
        rows = db.session.scalars(
            select(holding.model)
            .where(holding.link.in_(parent_ids))
            .order_by(*holding.order_by, holding.model.id)
        ).all()
        children = [child for child in _holdings.values() if child.parent == holding.section]
        nested = {child.section: section(child, [row.id for row in rows]) for child in children}
        for row in rows:
            entry = describe(row)
            for child in children:
                entry[child.section] = nested[child.section][row.id]
            found[getattr(row, holding.link.key)].append(entry)
        return found

    return {
        holding.section: section(holding, [person_id])[person_id]
        for holding in _holdings.values()
        if holding.parent is None
    }
