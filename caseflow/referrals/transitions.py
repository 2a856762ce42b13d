"""The referral lifecycle as data: every status change is one of these, and nothing else.

Each action names the statuses it may start from, the status it leads to, the permission it
needs and which side of the handover may take it.
"""

from dataclasses import dataclass

from caseflow.referrals.codes import Status

REFERRER = "referrer"
PROVIDER = "provider"


@dataclass(frozen=True)
class Transition:
    action: str
    from_statuses: tuple[str, ...]
    to_status: str
    permission: str
    sides: tuple[str, ...]
    done_message: str


TRANSITIONS = {
    t.action: t
    for t in (
        Transition(
            "send", (Status.DRAFT,), Status.SENT, "referral.send", (REFERRER,), "Referral sent"
        ),
        Transition(
            "accept",
            (Status.SENT,),
            Status.ACCEPTED,
            "referral.accept",
            (PROVIDER,),
            "Referral accepted",
        ),
        Transition(
            "reject",
            (Status.SENT,),
            Status.REJECTED,
            "referral.accept",
            (PROVIDER,),
            "Referral rejected",
        ),
        Transition(
            "redirect",
            (Status.SENT, Status.ACCEPTED),
            Status.SENT,
            "referral.redirect",
            (PROVIDER, REFERRER),
            "Referral redirected",
        ),
        Transition(
            "withdraw",
            (Status.DRAFT, Status.SENT, Status.ACCEPTED),
            Status.WITHDRAWN,
            "referral.withdraw",
            (REFERRER,),
            "Referral withdrawn",
        ),
        Transition(
            "engage",
            (Status.ACCEPTED,),
            Status.ENGAGED,
            "treatment.record",
            (PROVIDER,),
            "Treatment start recorded",
        ),
        Transition(
            "close",
            (Status.ACCEPTED, Status.ENGAGED),
            Status.CLOSED,
            "referral.close",
            (PROVIDER,),
            "Referral closed",
        ),
    )
}

# Why a change cannot be made, by the status the referral is in now.
REFUSALS = {
    Status.DRAFT: "This referral has not been sent yet.",
    Status.SENT: "This referral has been sent and is waiting to be accepted.",
    Status.ACCEPTED: "This referral has already been accepted.",
    Status.ENGAGED: "Treatment has already started for this referral.",
    Status.CLOSED: "This referral has been closed.",
    Status.REJECTED: "This referral has been rejected.",
    Status.WITHDRAWN: "This referral has been withdrawn.",
}


def available_actions(status: str) -> list[str]:
    return [t.action for t in TRANSITIONS.values() if status in t.from_statuses]
