"""A person's page, composed from what each domain contributes: dated timeline entries, and
sections of their own (a referral list; each pathway's panel).

A domain registers its contributions when its package is loaded; this module imports none of
them, so a new pathway adds its entries and its section without an edit here or in ``people/``.
Each source is given the viewer and the person and returns only what that viewer may see.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, time

from flask import g, has_request_context

from caseflow.dates import LONDON


@dataclass
class TimelineItem:
    when: datetime
    title: str
    by: str
    text: str = ""
    link: tuple[str, dict] | None = None
    # A date with no time of its own (a reception, a release): shown as the date only, not as
    # midnight.
    date_only: bool = False


@dataclass(frozen=True)
class Section:
    """A part of the person page: a template, and what it needs for this viewer."""

    template: str
    load: Callable  # (actor, person) -> dict for the template, or None to leave it out
    order: int = 100


EntrySource = Callable[..., Iterable[TimelineItem]]  # (actor, person)

_entry_sources: list[EntrySource] = []
_sections: list[Section] = []


def entries(source: EntrySource) -> EntrySource:
    """Register a source of timeline entries (a decorator)."""
    if source not in _entry_sources:
        _entry_sources.append(source)
    return source


def section(template: str, *, order: int = 100) -> Callable:
    """Register a person-page section drawn by template with what the function returns."""

    def register(load: Callable) -> Callable:
        if all(existing.template != template for existing in _sections):
            _sections.append(Section(template=template, load=load, order=order))
        return load

    return register


def timeline_for(actor, person) -> list[TimelineItem]:
    """Everything the actor may see about the person, as dated entries, newest first."""
    items = [item for source in _entry_sources for item in source(actor, person)]
    return sorted(items, key=lambda item: item.when, reverse=True)


def sections_for(actor, person) -> list[tuple[str, dict]]:
    """(template, context) for each section this viewer is shown, in page order."""
    shown = []
    for part in sorted(_sections, key=lambda part: part.order):
        context = part.load(actor, person)
        if context is not None:
            shown.append((part.template, context))
    return shown


# Whether a person has any record of a kind at all ------------------------------------------
#
# Most people have no case on most pathways. The statement that finds the person for their page
# asks, beside them, whether each kind of record exists for them at all (whoever may see it), so
# a section or timeline source with nothing to read runs no query. It only ever skips a read:
# what the viewer is shown still comes from the source's own scoped query, run whenever the
# person has any record of the kind.

HeldCondition = Callable  # (person id column) -> SQL boolean: the person has such a record

_held: dict[str, HeldCondition] = {}
# The columns, built once for each person id column (they hold no value of any request).
_held_columns: dict = {}


def held(name: str, condition: HeldCondition) -> None:
    """Register a kind of record the person page may skip reading when the person has none."""
    _held.setdefault(name, condition)
    _held_columns.clear()


def held_columns(person_id_column) -> list:
    """A labelled column for each kind registered, for the statement finding the person."""
    if person_id_column not in _held_columns:
        _held_columns[person_id_column] = [
            condition(person_id_column).label(f"held_{name}") for name, condition in _held.items()
        ]
    return _held_columns[person_id_column]


def remember_held(person_id, values) -> None:
    """What that statement said (values in the order of ``held_columns``), for this request."""
    if has_request_context():
        g.setdefault("records_held", {})[person_id] = {
            name for name, value in zip(_held, values, strict=True) if value
        }


def may_hold(person, name: str) -> bool:
    """False only when this request's first statement said the person has no such record; a
    person found any other way is read as before."""
    known = g.get("records_held", {}).get(person.id) if has_request_context() else None
    return known is None or name in known


def at_start_of(day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LONDON)
