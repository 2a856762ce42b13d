"""One page of a worklist as it is shown: each row with its clock and the other end of the
handover, and one audit row for the list."""

from dataclasses import dataclass

from caseflow.audit.services import record
from caseflow.dates import local_today
from caseflow.organisations.models import Organisation
from caseflow.people.models import CustodyEpisode
from caseflow.referrals import worklists
from caseflow.referrals.clock import Clock
from caseflow.referrals.codes import ReferralEventKind
from caseflow.referrals.models import Referral, ReferralEvent
from caseflow.referrals.services import clock_for
from caseflow.referrals.transitions import PROVIDER, REFERRER, sides_of


@dataclass
class WorklistRow:
    item: object
    person: object
    clock: Clock
    referral: Referral | None
    # Which end of the referral's handover the viewer is at (PROVIDER or REFERRER).
    viewer_side: str | None = None

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


def show_worklist(actor, name: str, query, *, page: int = 1, **options):
    """One page of a worklist, each row with its clock; one audit row for the list shown."""
    today = local_today()
    result = query(actor, page=page, **options)
    if result.rows and isinstance(result.rows[0], ReferralEvent):
        # The provider's own redirects: no person is shown, so none is counted.
        result.rows = [HandedOnRow(event, _now_with(actor, event)) for event in result.rows]
        record(
            "list",
            actor=actor,
            entity_type="worklist",
            entity_id=name,
            purpose="caseload",
            detail={"people": 0, "page": result.page},
        )
        return result
    if result.rows and isinstance(result.rows[0], CustodyEpisode):
        latest = worklists.latest_referrals(actor, [episode.id for episode in result.rows])
        rows = [
            WorklistRow(
                item=episode,
                person=episode.person,
                referral=latest.get(episode.id),
                # The release's clock, not one referral's: a late start still shows as late.
                clock=Clock(
                    release_date=episode.actual_release_date,
                    today=today,
                    treatment_start=getattr(latest.get(episode.id), "treatment_start_date", None),
                    expected_release=episode.expected_release_date,
                    release_type=episode.release_type,
                ),
            )
            for episode in result.rows
        ]
    else:
        rows = []
        for item in result.rows:
            referral = item if isinstance(item, Referral) else item.referral
            rows.append(
                WorklistRow(
                    item=item,
                    person=referral.person,
                    referral=referral,
                    clock=clock_for(referral, today),
                    viewer_side=PROVIDER if PROVIDER in sides_of(actor, referral) else REFERRER,
                )
            )
    result.rows = rows
    record(
        "list",
        actor=actor,
        entity_type="worklist",
        entity_id=name,
        purpose="caseload",
        detail={
            "people": len({row.person.id for row in rows}),
            "page": result.page,
            **{k: v for k, v in options.items() if v},
        },
    )
    return result
