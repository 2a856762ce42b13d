"""Code lists for referrals: statuses, consent, reasons, appointment outcomes and history."""

from caseflow.codes import CodeList


class Status(CodeList, key="referral_status"):
    """A referral's status, with the GOV.UK tag colour it is shown in on every page: one colour
    each, so a status reads the same at a glance wherever it appears."""

    DRAFT = "draft", "Draft", "govuk-tag--grey"
    SENT = "sent", "Sent", "govuk-tag--blue"
    ACCEPTED = "accepted", "Accepted", "govuk-tag--turquoise"
    ENGAGED = "engaged", "Engaged", "govuk-tag--green"
    CLOSED = "closed", "Closed", "govuk-tag--purple"
    REJECTED = "rejected", "Rejected", "govuk-tag--red"
    WITHDRAWN = "withdrawn", "Withdrawn", "govuk-tag--orange"


class ActionGroup(CodeList, key="referral_action_group"):
    """The groups a referral page shows its actions in, in this order, by what they do. Ending
    a referral (rejecting, withdrawing, closing) is shown apart, after the rest."""

    PROGRESS = "progress", "Move the referral on"
    APPOINTMENTS = "appointments", "Appointments and keyworker"
    CORRECTIONS = "corrections", "Change or correct"
    ENDING = "ending", "End the referral"


# Referrals in these statuses count as "sent" for the worklists: someone is acting on them.
SENT_STATUSES = (Status.SENT, Status.ACCEPTED, Status.ENGAGED)

# A live referral has not ended: drafted, sent, accepted or engaged. Rejected, withdrawn and closed
# referrals have ended. One live referral per release and pathway (DOMAIN.md, Referral): a draft
# counts, so two teams cannot both be preparing the same handover.
LIVE_STATUSES = (Status.DRAFT, *SENT_STATUSES)

# A provider works a referral (books appointments, assigns a keyworker) once it has accepted it.
WORKING_STATUSES = (Status.ACCEPTED, Status.ENGAGED)

# A treatment start is recorded as a referral becomes engaged and stays when it is closed, where
# the continuity measure still counts it: it can be corrected in either.
TREATMENT_START_STATUSES = (Status.ENGAGED, Status.CLOSED)


class Consent(CodeList, key="consent"):
    """Consent to share. Refused blocks sending; an override needs a reason."""

    GIVEN = "given", "Given"
    REFUSED = "refused", "Refused"
    OVERRIDDEN = "overridden", "Overridden (sharing without consent, with a reason)"


class RejectionReason(CodeList, key="rejection_reason"):
    OUT_OF_AREA = "out_of_area", "Person will not live in our area"
    NOT_ELIGIBLE = "not_eligible", "Does not meet our criteria"
    ALREADY_IN_TREATMENT = "already_in_treatment", "Already in treatment with another service"
    INSUFFICIENT_INFORMATION = "insufficient_information", "Not enough information to accept"
    OTHER = "other", "Other"


class ClosingReason(CodeList, key="closing_reason"):
    HANDED_TO_ROUTINE_CARE = (
        "handed_to_routine_care",
        "Treatment started and handed to routine care",
    )
    DECLINED = "declined", "Declined by the person"
    LOST_CONTACT = "lost_contact", "Lost contact"
    RETURNED_TO_CUSTODY = "returned_to_custody", "Returned to custody"
    DIED = "died", "Died"
    MOVED_OUT_OF_AREA = "moved_out_of_area", "Moved out of area"
    OTHER = "other", "Other"


class AppointmentOutcome(CodeList, key="appointment_outcome"):
    """An appointment is booked (offered), then recorded. Before its day has passed the
    keyworker may move it (it is rebooked, and a new one booked) or cancel it; booked
    appointments are also cancelled when their referral ends."""

    OFFERED = "offered", "Booked"
    ATTENDED = "attended", "Attended"
    DID_NOT_ATTEND = "did_not_attend", "Did not attend"
    REBOOKED = "rebooked", "Rebooked"
    CANCELLED = "cancelled", "Cancelled"


# What a keyworker records about a booked appointment once its day has come: whether the person
# came (DOMAIN.md). Rebooked is not an attendance: it is what moving an appointment leaves on the
# one moved, and only that action gives it (appointments.move_appointment).
ATTENDANCE_OUTCOMES = (
    AppointmentOutcome.ATTENDED,
    AppointmentOutcome.DID_NOT_ATTEND,
)


class ReferralEventKind(CodeList, key="referral_event"):
    """The entries in a referral's history (``ReferralEvent.kind``): its lifecycle's actions,
    keyworker assignment, and appointments."""

    CREATED = "created", "Draft created"
    EDITED = "edited", "Draft edited"
    SEND = "send", "Sent"
    ACCEPT = "accept", "Accepted"
    REJECT = "reject", "Rejected"
    REDIRECT = "redirect", "Redirected to another provider"
    WITHDRAW = "withdraw", "Withdrawn"
    ENGAGE = "engage", "Treatment started"
    CLOSE = "close", "Closed"
    ASSIGNED = "assigned", "Keyworker assigned"
    APPOINTMENT_BOOKED = "appointment_booked", "Appointment booked"
    APPOINTMENT_ATTENDED = "appointment_attended", "Appointment attended"
    APPOINTMENT_DID_NOT_ATTEND = "appointment_did_not_attend", "Did not attend appointment"
    APPOINTMENT_REBOOKED = "appointment_rebooked", "Appointment rebooked"
    APPOINTMENT_MOVED = "appointment_moved", "Appointment moved"
    APPOINTMENT_CANCELLED = "appointment_cancelled", "Appointment cancelled"
    TREATMENT_START_CORRECTED = "treatment_start_corrected", "Treatment start corrected"


class HandoverField(CodeList, key="handover_field"):
    """A draft's handover fields, as its history names those an edit changed (never their
    values)."""

    PROVIDER_ID = "provider_id", "Community treatment provider"
    CONSENT = "consent", "Consent to share"
    CONSENT_OVERRIDE_REASON = "consent_override_reason", "Reason for sharing without consent"
    SUBSTANCE_GROUP = "substance_group", "Substance group"
    OPIOID_MEDICINE = "opioid_medicine", "Opioid substitution medicine"
    OPIOID_DOSE = "opioid_dose", "Dose"
    LAST_DOSE_DATE = "last_dose_date", "Date of last dose in custody"
    BRIDGING_PRESCRIPTION = "bridging_prescription", "Bridging prescription"
    LONG_ACTING_INJECTABLE = "long_acting_injectable", "Long-acting injectable buprenorphine"
    NALOXONE_ON_RELEASE = "naloxone_on_release", "Naloxone on release"
    MENTAL_HEALTH_NEED = "mental_health_need", "Mental health need"
    HOUSING_NEED = "housing_need", "Housing need"
    RISKS = "risks", "Risks"
    CONTACT_AFTER_RELEASE = "contact_after_release", "Contact details after release"


# The reasons a history entry's code is drawn from, by the kind of entry.
REASON_LISTS: dict[str, type[CodeList]] = {
    ReferralEventKind.REJECT: RejectionReason,
    ReferralEventKind.CLOSE: ClosingReason,
}
