"""Code lists of the Community Sentence Treatment Requirement pathway (DOMAIN.md, Pathways)."""

from caseflow.codes import CodeList


class Requirement(CodeList, key="cstr_requirement"):
    """The treatment requirements a community order or suspended sentence order can carry,
    alone or combined (Sentencing Act 2020, Sch. 9)."""

    DRR = "drr", "Drug rehabilitation requirement (DRR)"
    ATR = "atr", "Alcohol treatment requirement (ATR)"
    MHTR = "mhtr", "Mental health treatment requirement (MHTR)"


class OrderType(CodeList, key="cstr_order_type"):
    COMMUNITY_ORDER = "community_order", "Community order"
    SUSPENDED_SENTENCE = "suspended_sentence_order", "Suspended sentence order"


class Status(CodeList, key="cstr_status"):
    """Where a CSTR is: asked for before sentence, assessed, made by the court, started, and how
    it ended. One colour each, like the referral's statuses."""

    REQUESTED = "requested", "Assessment requested", "govuk-tag--blue"
    SUITABLE = "suitable", "Assessed suitable", "govuk-tag--turquoise"
    UNSUITABLE = "unsuitable", "Assessed unsuitable", "govuk-tag--grey"
    NOT_MADE = "not_made", "No order made", "govuk-tag--grey"
    ORDER_MADE = "order_made", "Order made", "govuk-tag--light-blue"
    STARTED = "started", "In treatment", "govuk-tag--green"
    COMPLETED = "completed", "Completed", "govuk-tag--purple"
    REVOKED = "revoked", "Revoked", "govuk-tag--orange"
    BREACHED = "breached", "Breached", "govuk-tag--red"


# Before sentence: the court report is still to be written.
BEFORE_SENTENCE = (Status.REQUESTED, Status.SUITABLE, Status.UNSUITABLE)
# An order the court made and that has not ended: reviews, tests, attendance and variation.
LIVE_ORDER = (Status.ORDER_MADE, Status.STARTED)
# The outcomes DOMAIN.md names.
OUTCOMES = (Status.COMPLETED, Status.REVOKED, Status.BREACHED)


class ActionGroup(CodeList, key="cstr_action_group"):
    PROGRESS = "progress", "Move the requirement on"
    RECORDS = "records", "Tests, attendance and reviews"
    CHANGES = "changes", "Warnings and variation"
    ENDING = "ending", "End the requirement"


class DrugTestResult(CodeList, key="cstr_drug_test_result"):
    NEGATIVE = "negative", "Negative"
    POSITIVE_OPIATES = "positive_opiates", "Positive: opiates"
    POSITIVE_COCAINE = "positive_cocaine", "Positive: cocaine"
    POSITIVE_OTHER = "positive_other", "Positive: other drug"
    NOT_PROVIDED = "not_provided", "Sample not provided"


class Attendance(CodeList, key="cstr_attendance"):
    """Attendance at a treatment appointment, as compliance is judged (an unacceptable absence
    counts towards a warning)."""

    ATTENDED = "attended", "Attended"
    ACCEPTABLE_ABSENCE = "acceptable_absence", "Did not attend: acceptable absence"
    UNACCEPTABLE_ABSENCE = "unacceptable_absence", "Did not attend: unacceptable absence"


class EventKind(CodeList, key="cstr_event"):
    """The entries in a CSTR's history: its lifecycle's actions and the records kept under it."""

    REQUESTED = "requested", "Suitability assessment requested"
    ASSESS_SUITABLE = "assess_suitable", "Assessed suitable"
    ASSESS_UNSUITABLE = "assess_unsuitable", "Assessed unsuitable"
    NOT_MADE = "not_made", "No order made"
    MAKE_ORDER = "make_order", "Order made"
    START = "start", "Treatment started"
    WARN = "warn", "Warning given"
    VARY = "vary", "Order varied"
    COMPLETE = "complete", "Completed"
    REVOKE = "revoke", "Revoked"
    BREACH = "breach", "Breached"
    DRUG_TEST = "drug_test", "Drug test recorded"
    ATTENDANCE = "attendance", "Attendance recorded"
    REVIEW_SCHEDULED = "review_scheduled", "Court review scheduled"
    REVIEW_REPORT = "review_report", "Review report sent to the court"
