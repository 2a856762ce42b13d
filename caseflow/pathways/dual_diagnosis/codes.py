"""The dual diagnosis pathway's code lists (DOMAIN.md, Pathways; NICE NG58, QS188, QS14)."""

from caseflow.codes import CodeList


class Status(CodeList, key="dual_diagnosis_status"):
    """Where a dual diagnosis case is: referred to a mental health service, which accepts or
    declines; accepted, then a joint care plan agreed by both services; closed when the
    mental health service's part ends. Withdrawn: the referrer took the referral back."""

    REFERRED = "referred", "Referred", "govuk-tag--blue"
    ACCEPTED = "accepted", "Accepted", "govuk-tag--turquoise"
    PLAN_AGREED = "plan_agreed", "Joint plan agreed", "govuk-tag--green"
    DECLINED = "declined", "Declined", "govuk-tag--red"
    WITHDRAWN = "withdrawn", "Withdrawn", "govuk-tag--grey"
    CLOSED = "closed", "Closed", "govuk-tag--purple"


# A case still being worked: one at a time per person.
LIVE_STATUSES = (Status.REFERRED, Status.ACCEPTED, Status.PLAN_AGREED)
# The statuses in which the mental health service holds the case, and so has a relationship to
# the person: from the referral until it declines (or the referrer withdraws); a case it closed
# stays its record of the care it gave.
SERVICE_HOLDS = (Status.REFERRED, Status.ACCEPTED, Status.PLAN_AGREED, Status.CLOSED)
# The joint care plan is written and kept while the mental health service is caring.
PLAN_STATUSES = (Status.ACCEPTED, Status.PLAN_AGREED)


class NeedCategory(CodeList, key="dual_diagnosis_need_category"):
    DEPRESSION = "depression", "Depression"
    ANXIETY = "anxiety", "Anxiety disorder"
    PSYCHOSIS = "psychosis", "Psychosis or schizophrenia"
    BIPOLAR = "bipolar", "Bipolar disorder"
    PERSONALITY = "personality_disorder", "Personality disorder"
    TRAUMA = "trauma", "Post-traumatic stress or trauma"
    SELF_HARM = "self_harm", "Self-harm or suicide risk"
    OTHER = "other", "Another mental health need"


class Severity(CodeList, key="dual_diagnosis_severity"):
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"


class DeclineReason(CodeList, key="dual_diagnosis_decline_reason"):
    """Why a mental health service may decline a referral.

    NICE NG58 (coexisting severe mental illness and substance misuse: community health and
    social care services) says people must not be excluded from mental health services because
    of their substance misuse, nor from substance misuse services because of their mental
    illness. So this list has no reason that is, or stands for, the person's drug or alcohol
    use: a service cannot pick "because of the other condition". "Other" needs the reason in
    words; those words are kept in the case's history, shown to the referrer and audited. They
    are not checked by machine: a word list would refuse honest reasons and let dishonest ones
    through, so the rule is held by the list offered, and by people reading what was written.
    """

    PRIMARY_CARE = "primary_care", "The need can be met in primary care (GP or talking therapies)"
    ALREADY_KNOWN = "already_known", "Already under another mental health team"
    OUT_OF_AREA = "out_of_area", "The person lives outside the service's area"
    PERSON_DECLINED = "person_declined", "The person does not want the service"
    OTHER = "other", "Another reason (give it below)"


class ClosingReason(CodeList, key="dual_diagnosis_closing_reason"):
    """Why the mental health service's part ends. A missed appointment is never one: DOMAIN.md
    and NG58 say missed appointments are followed up, never a reason to discharge, so the list
    has no "did not attend" or "disengaged"."""

    NEEDS_MET = "needs_met", "Mental health needs met: back to primary care"
    TRANSFERRED = "transferred", "Transferred to another mental health team"
    MOVED_AWAY = "moved_away", "Moved out of the area"
    PERSON_ENDED = "person_ended", "The person chose to end their care"
    RETURNED_TO_CUSTODY = "returned_to_custody", "Returned to custody"
    DIED = "died", "Died"
    OTHER = "other", "Another reason"


class EventKind(CodeList, key="dual_diagnosis_event"):
    """What an entry in a case's history records: a lifecycle change, or a change to the need,
    the joint care plan or its actions, or a missed appointment followed up."""

    REFER = "refer", "Referred to the mental health service"
    ACCEPT = "accept", "Accepted"
    DECLINE = "decline", "Declined"
    WITHDRAW = "withdraw", "Withdrawn"
    AGREE_PLAN = "agree_plan", "Joint care plan agreed"
    REVIEW = "review", "Joint care plan reviewed"
    CLOSE = "close", "Closed"
    COORDINATOR = "coordinator", "Care coordinator changed"
    NEED = "need", "Mental health need updated"
    PLAN_EDIT = "plan_edit", "Joint care plan changed"
    PLAN_ACTION = "plan_action", "Action added to the joint care plan"
    ACTION_EDIT = "action_edit", "Action of the joint care plan changed"
    ACTION_DONE = "action_done", "Action of the joint care plan done"
    FOLLOW_UP = "follow_up", "Missed appointment followed up"


class PlanField(CodeList, key="dual_diagnosis_plan_field"):
    """The joint care plan's fields, as its history names what a change changed."""

    NEEDS = "needs", "Needs"
    CRISIS_PLAN = "crisis_plan", "Crisis plan"
    PERSON_HAS_COPY = "person_has_copy", "Whether the person has a copy"
    REVIEW_DATE = "review_date", "Agreed review date"
    NEED_CATEGORY = "need_category", "Category of need"
    NEED_SEVERITY = "need_severity", "Severity"
    ASSESSED_BY = "assessed_by", "Who assessed"
    ASSESSED_ON = "assessed_on", "Date assessed"
    # An action's fields, as a change of one action names them.
    DESCRIPTION = "description", "Action"
    OWNER = "owner", "Who owns it"
    DUE_ON = "due_on", "Due date"


REASON_LISTS = {"decline": DeclineReason, "close": ClosingReason}
