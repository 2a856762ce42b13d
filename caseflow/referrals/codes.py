"""Code lists for referrals."""


class Status:
    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    ENGAGED = "engaged"
    CLOSED = "closed"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


STATUS_NAMES = {
    Status.DRAFT: "Draft",
    Status.SENT: "Sent",
    Status.ACCEPTED: "Accepted",
    Status.ENGAGED: "Engaged",
    Status.CLOSED: "Closed",
    Status.REJECTED: "Rejected",
    Status.WITHDRAWN: "Withdrawn",
}

# Referrals in these statuses count as "sent" for the worklists: someone is acting on them.
LIVE_STATUSES = (Status.SENT, Status.ACCEPTED, Status.ENGAGED)

CONSENT = {
    "given": "Given",
    "refused": "Refused",
    "overridden": "Overridden (sharing without consent, with a reason)",
}

OPIOID_MEDICINE = {
    "none": "None",
    "methadone": "Methadone",
    "buprenorphine": "Buprenorphine",
    "lai_buprenorphine": "Long-acting injectable buprenorphine",
}

REJECTION_REASONS = {
    "out_of_area": "Person will not live in our area",
    "not_eligible": "Does not meet our criteria",
    "already_in_treatment": "Already in treatment with another service",
    "insufficient_information": "Not enough information to accept",
    "other": "Other",
}

CLOSING_REASONS = {
    "handed_to_routine_care": "Treatment started and handed to routine care",
    "declined": "Declined by the person",
    "lost_contact": "Lost contact",
    "returned_to_custody": "Returned to custody",
    "died": "Died",
    "moved_out_of_area": "Moved out of area",
    "other": "Other",
}

APPOINTMENT_OUTCOMES = {
    "offered": "Booked",
    "attended": "Attended",
    "did_not_attend": "Did not attend",
    "rebooked": "Rebooked",
    "cancelled": "Cancelled",
}
