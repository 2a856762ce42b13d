"""Code lists: each code written once with its label, stored as before, offered whole by forms.

The codes expected here are the ones DOMAIN.md names and the database already holds (no
migration changes a stored value); a form is expected to offer its list's members, in order.
"""

import uuid

import pytest
from flask_login import login_user

from caseflow.audit.models import Outcome
from caseflow.auditor.forms import BreakGlassReviewForm, LogSearchForm
from caseflow.auditor.models import ReviewVerdict
from caseflow.codes import code_lists, label, tag_class
from caseflow.forms import OneTimeForm
from caseflow.organisations.forms import NewUserForm, OrganisationForm
from caseflow.organisations.models import OrganisationKind
from caseflow.people.codes import (
    Accommodation,
    EthnicGroup,
    ExpectedReleaseUnknown,
    OpioidSubstitution,
    PersonFlag,
    ReleaseType,
    Sex,
    SubstanceGroup,
    TreatmentNeed,
)
from caseflow.people.forms import CustodyEpisodeForm, PersonForm, ReleaseForm
from caseflow.referrals.codes import (
    AppointmentOutcome,
    ClosingReason,
    Consent,
    RejectionReason,
    Status,
)
from caseflow.referrals.forms import AttendanceForm, CloseForm, ReferralForm, RejectForm
from caseflow.security.access import Role
from tests.factories import UserFactory

EVERY_LIST = {
    "sex",
    "ethnic_group",
    "person_flag",
    "substance_group",
    "treatment_need",
    "opioid_substitution",
    "release_type",
    "accommodation",
    "expected_release_unknown",
    "custody_change",
    "referral_status",
    "consent",
    "rejection_reason",
    "closing_reason",
    "appointment_outcome",
    "referral_event",
    "role",
    "audit_outcome",
    "review_verdict",
    "organisation_kind",
}


def test_every_code_list_is_declared_once_with_a_label_for_each_code(app):
    lists = code_lists()
    assert set(lists) >= EVERY_LIST
    for key, codes in lists.items():
        assert len(codes) > 0, key
        for member in codes:
            assert isinstance(member.label, str) and member.label.strip(), (key, member)
            assert member.label != member.value, (key, member)  # a label, not the code again
        labels = [member.label for member in codes]
        assert len(set(labels)) == len(labels), (key, labels)  # no two codes read the same


@pytest.mark.parametrize(
    ("codes", "stored"),
    [
        # DOMAIN.md, Referral lifecycle: the seven statuses as the database holds them.
        (Status, ["draft", "sent", "accepted", "engaged", "closed", "rejected", "withdrawn"]),
        # DOMAIN.md: consent given, refused or overridden with a reason.
        (Consent, ["given", "refused", "overridden"]),
        # NDTMS substance groups.
        (SubstanceGroup, ["opiate", "non_opiate_only", "non_opiate_and_alcohol", "alcohol_only"]),
        # Closing reasons: routine care, declined, lost contact, custody, died, moved, other.
        (
            ClosingReason,
            [
                "handed_to_routine_care",
                "declined",
                "lost_contact",
                "returned_to_custody",
                "died",
                "moved_out_of_area",
                "other",
            ],
        ),
        (
            AppointmentOutcome,
            ["offered", "attended", "did_not_attend", "rebooked", "cancelled"],
        ),
        (
            Role,
            [
                "prison_healthcare",
                "probation",
                "keyworker",
                "mental_health_practitioner",
                "outreach_worker",
                "manager",
                "auditor",
                "admin",
            ],
        ),
        (Outcome, ["success", "denied", "failed"]),
        (ReviewVerdict, ["appropriate", "inappropriate", "follow_up"]),
    ],
)
def test_stored_codes_are_the_ones_already_in_the_database(codes, stored):
    assert [member.value for member in codes] == stored
    # The member is the stored string: compared, hashed and looked up as one.
    for member, value in zip(codes, stored, strict=True):
        assert member == value and hash(member) == hash(value)
        assert {value: True}.get(member) and {member: True}.get(value)


def test_a_page_shows_a_label_or_says_nothing_was_recorded(app):
    assert label("female", "sex") == "Female"
    assert label("lai_buprenorphine", "opioid_substitution") == (
        "Long-acting injectable buprenorphine"
    )
    assert label(None, "release_type") == "Not recorded"
    assert label("", "accommodation") == "Not recorded"
    # A code no longer in its list still shows rather than failing the page.
    assert label("retired_code", "release_type") == "retired_code"
    assert tag_class("rejected", "referral_status") == "govuk-tag--red"
    assert tag_class("sent", "referral_status") == "govuk-tag--blue"
    with pytest.raises(KeyError):
        label("female", "no_such_list")


def test_has_answers_for_any_value_a_form_or_address_sends():
    assert Role.has("keyworker") and Role.has(Role.ADMIN)
    for value in ("Keyworker", "", None, 3, ["keyworker"], "x" * 6000):
        assert not Role.has(value)


def offered(field) -> list[tuple[str, str]]:
    """A field's options without its blank "Select ..." choice."""
    return [(str(value), text) for value, text, *_ in field.choices if value != ""]


def whole(codes) -> list[tuple[str, str]]:
    return [(member.value, member.label) for member in codes]


FORM_FIELDS = [
    (PersonForm, "sex", Sex),
    (PersonForm, "ethnic_group", EthnicGroup),
    (PersonForm, "flags", PersonFlag),
    (CustodyEpisodeForm, "expected_release_unknown_reason", ExpectedReleaseUnknown),
    (CustodyEpisodeForm, "accommodation_on_release", Accommodation),
    (CustodyEpisodeForm, "treatment_need", TreatmentNeed),
    (CustodyEpisodeForm, "substance_group", SubstanceGroup),
    (CustodyEpisodeForm, "opioid_substitution", OpioidSubstitution),
    (ReleaseForm, "release_type", ReleaseType),
    (ReferralForm, "consent", Consent),
    (ReferralForm, "substance_group", SubstanceGroup),
    # A referral's medicine is the custody episode's list, not a copy of it.
    (ReferralForm, "opioid_medicine", OpioidSubstitution),
    (RejectForm, "reason_code", RejectionReason),
    (CloseForm, "reason_code", ClosingReason),
    (BreakGlassReviewForm, "verdict", ReviewVerdict),
    (LogSearchForm, "outcome", Outcome),
    (NewUserForm, "role", Role),
    (OrganisationForm, "kind", OrganisationKind),
]


@pytest.mark.parametrize(
    ("form_class", "name", "codes"),
    FORM_FIELDS,
    ids=[f"{form.__name__}.{name}" for form, name, _ in FORM_FIELDS],
)
def test_forms_offer_exactly_their_lists_members(app, form_class, name, codes):
    with app.test_request_context():
        # A form with a one-time token issues it to the person shown the form, about a record.
        login_user(UserFactory())
        about = {"subject": uuid.uuid4()} if issubclass(form_class, OneTimeForm) else {}
        form = form_class(meta={"csrf": False}, **about)
        assert offered(getattr(form, name)) == whole(codes)


def test_attendance_offers_what_a_keyworker_records_and_nothing_the_service_refuses(app):
    # DOMAIN.md: an appointment is offered, then attended, did not attend or rebooked.
    # Booked is where it starts, rebooked is what moving it does and cancelled what cancelling
    # it or ending the referral does: attendance is only whether the person came.
    with app.test_request_context():
        form = AttendanceForm(meta={"csrf": False})
        assert [value for value, _ in offered(form.outcome)] == ["attended", "did_not_attend"]
