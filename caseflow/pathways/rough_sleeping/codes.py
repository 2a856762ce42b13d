"""The rough sleeping pathway's code lists (DOMAIN.md, Pathways: Rough sleeping).

Accommodation itself uses the one list custody already keeps (``people.codes.Accommodation``):
the custody episode's "accommodation on release" and this pathway's history hold the same codes,
so the housing status a list shows is one SQL expression over both (``models.housing_status_sql``).
"""

from caseflow.codes import CodeList
from caseflow.people.codes import Accommodation


class Status(CodeList, key="rough_sleeping_status"):
    OPEN = "open", "Open, no outreach team yet", "govuk-tag--grey"
    TEAM_ASSIGNED = "team_assigned", "Outreach team assigned", "govuk-tag--blue"
    REFERRED = "referred", "Referred to housing", "govuk-tag--light-blue"
    RESPONDED = "responded", "Housing response recorded", "govuk-tag--turquoise"
    THREE_WEEKS = "three_weeks", "3-week outcome recorded", "govuk-tag--purple"
    THREE_MONTHS = "three_months", "3-month outcome recorded", "govuk-tag--green"
    CLOSED = "closed", "Closed", "govuk-tag--grey"


LIVE_STATUSES = tuple(status for status in Status if status != Status.CLOSED)

# The people the pathway's lists are about: released with no fixed abode, or sleeping rough.
WITHOUT_A_HOME = (Accommodation.NO_FIXED_ABODE, Accommodation.ROUGH_SLEEPING)


class Homelessness(CodeList, key="homelessness"):
    """Whether the Duty to Refer applies (Homelessness Reduction Act 2017, s.213B)."""

    HOMELESS = "homeless", "Homeless"
    THREATENED = "threatened", "Threatened with homelessness within 56 days"
    NEITHER = "neither", "Neither"


class AuthorityResponse(CodeList, key="housing_response"):
    PREVENTION = "prevention_duty", "Prevention duty owed"
    RELIEF = "relief_duty", "Relief duty owed"
    NO_DUTY = "no_duty", "No duty owed"
    SECURED = "secured_6_months", "Accommodation secured for 6 months or more"
    CONTACT_LOST = "contact_lost", "Contact lost"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Outcome(CodeList, key="accommodation_outcome"):
    """Probation's "settled accommodation" measure, at 3 weeks and at 3 months after release."""

    SETTLED = "settled", "Settled", "govuk-tag--green"
    NOT_SETTLED = "not_settled", "Not settled", "govuk-tag--orange"


class ClosingReason(CodeList, key="rough_sleeping_closing"):
    COMPLETED = "completed", "Outcomes recorded"
    RETURNED_TO_CUSTODY = "returned_to_custody", "Returned to custody"
    MOVED_AWAY = "moved_away", "Moved out of the area"
    DIED = "died", "Died"
    OTHER = "other", "Other"


class EventKind(CodeList, key="rough_sleeping_event"):
    """What a history entry records: the lifecycle's actions, and the changes beside them."""

    OPEN = "open", "Rough sleeping case opened"
    ASSIGN_TEAM = "assign_team", "Outreach team assigned"
    REFER = "refer", "Duty to Refer made"
    RESPOND = "respond", "Housing authority's response recorded"
    OUTCOME_3_WEEKS = "outcome_3_weeks", "Accommodation outcome at 3 weeks recorded"
    OUTCOME_3_MONTHS = "outcome_3_months", "Accommodation outcome at 3 months recorded"
    CLOSE = "close", "Rough sleeping case closed"
    ACCOMMODATION = "accommodation", "Accommodation recorded"
    PRESCRIBING = "prescribing", "Same-day prescribing recorded"
