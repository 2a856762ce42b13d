"""One page of a worklist as it is shown: each row with its clock and the other end of the
handover, and one audit row for the list.

Every list of people has one row shape, ``WorklistRow``, so every such list shows the same
columns in the same order (templates/referrals/worklist.html): the person, their release, the
referral's status, the 21-day clock, the referral, then the one thing the list is about (where
a referral came from or went, where the person is going, the appointment). Each list declares
the kind of record its query returns (``worklists.WORKLISTS``), and ``ROW_BUILDERS`` turns that
kind into rows. The provider's "Redirected or rejected" list is its own part of a referral's
history, without the person: its rows are ``HandedOnRow``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from caseflow.audit.services import record
from caseflow.codes import NOT_RECORDED
from caseflow.dates import display, local_today
from caseflow.organisations.models import Organisation
from caseflow.people.models import CustodyEpisode, Person
from caseflow.referrals import worklists
from caseflow.referrals.clock import Clock
from caseflow.referrals.codes import AppointmentOutcome, ReferralEventKind
from caseflow.referrals.models import Appointment, Referral, ReferralEvent
from caseflow.referrals.services.reading import clock_for
from caseflow.referrals.transitions import PROVIDER, REFERRER, sides_of


@dataclass
class WorklistRow:
    """A person on a worklist, with their release, their referral (if any) and its clock."""

    person: Person
    episode: CustodyEpisode | None
    referral: Referral | None
    clock: Clock
    # Which end of the referral's handover the viewer is at (PROVIDER or REFERRER).
    viewer_side: str | None = None
    appointment: Appointment | None = None
    # The last column, the one thing this list is about: its heading and this row's words.
    about_heading: str = ""
    about: str = ""

    @property
    def handover_direction(self) -> str:
        """A provider reads where a referral came from; a referrer, where it went."""
        return "From" if self.viewer_side == PROVIDER else "To"

    @property
    def other_organisation(self) -> Organisation:
        """The organisation at the other end of the handover (loaded only when shown)."""
        if self.viewer_side == PROVIDER:
            return self.referral.referring_organisation
        return self.referral.provider


@dataclass
class HandedOnRow:
    """A referral the viewer's team redirected or rejected, and where it is now."""

    event: ReferralEvent
    now_with: str


def _now_with(actor, event: ReferralEvent) -> str:
    referral = event.referral
    if event.kind == ReferralEventKind.REJECT:
        return f"Rejected: back with {referral.referring_organisation.name}"
    if referral.provider_id == actor.organisation_id:
        return "Your team (redirected back)"
    return referral.provider.name


def _episode_rows(actor, episodes: list[CustodyEpisode], today: date) -> list[WorklistRow]:
    latest = worklists.latest_referrals(actor, [episode.id for episode in episodes])
    return [
        WorklistRow(
            person=episode.person,
            episode=episode,
            referral=latest.get(episode.id),
            # The release's clock, not one referral's: a late start still shows as late.
            clock=Clock(
                release_date=episode.actual_release_date,
                today=today,
                treatment_start=getattr(latest.get(episode.id), "treatment_start_date", None),
                expected_release=episode.expected_release_date,
                release_type=episode.release_type,
            ),
            about_heading="Going to",
            about=episode.destination.name if episode.destination else NOT_RECORDED,
        )
        for episode in episodes
    ]


def _referral_row(actor, referral: Referral, today: date) -> WorklistRow:
    row = WorklistRow(
        person=referral.person,
        episode=referral.episode,
        referral=referral,
        clock=clock_for(referral, today),
        viewer_side=PROVIDER if PROVIDER in sides_of(actor, referral) else REFERRER,
    )
    row.about_heading = row.handover_direction
    row.about = row.other_organisation.name
    return row


def _referral_rows(actor, referrals: list[Referral], today: date) -> list[WorklistRow]:
    return [_referral_row(actor, referral, today) for referral in referrals]


def _appointment_rows(actor, booked: list[Appointment], today: date) -> list[WorklistRow]:
    rows = []
    for appointment in booked:
        row = _referral_row(actor, appointment.referral, today)
        row.appointment = appointment
        row.about_heading = "Appointment"
        when = " ".join(
            filter(None, (display(appointment.appointment_date), appointment.appointment_time))
        )
        row.about = f"{when}, {AppointmentOutcome.label_of(appointment.outcome)}"
        rows.append(row)
    return rows


def _handed_on_rows(actor, events: list[ReferralEvent], _today: date) -> list[HandedOnRow]:
    return [HandedOnRow(event, _now_with(actor, event)) for event in events]


# The kind of record a worklist's query returns (worklists.WORKLISTS), and how it becomes rows.
ROW_BUILDERS: dict[str, Callable] = {
    "episode": _episode_rows,
    "referral": _referral_rows,
    "appointment": _appointment_rows,
    "redirect": _handed_on_rows,
}


def show_worklist(actor, name: str, query, *, page: int = 1, **options):
    """One page of a worklist, each row with its clock; one audit row for the list shown, with
    the number of people on the page (none for the history of referrals handed on)."""
    _title, _query, kind = worklists.WORKLISTS[name]
    result = query(actor, page=page, **options)
    result.rows = ROW_BUILDERS[kind](actor, list(result.rows), local_today())
    if kind == "redirect":
        detail = {"people": 0, "page": result.page}  # no person is shown, so none is counted
    else:
        detail = {
            "people": len({row.person.id for row in result.rows}),
            "page": result.page,
            **{k: v for k, v in options.items() if v},
        }
    record(
        "list",
        actor=actor,
        entity_type="worklist",
        entity_id=name,
        purpose="caseload",
        detail=detail,
    )
    return result
