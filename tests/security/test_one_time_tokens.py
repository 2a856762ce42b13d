"""One-time form tokens are bound to the user shown the form and the record it is about.

SECURITY.md, Reliability: "Double-submitted forms create one record." The token that makes that
work must never let a form act on a record other than its own: a token from person A's form,
posted in person B's form, or a token from someone else's form, is refused with a 400 page and
changes nothing, on every form that carries one (referral, appointment, case note).
"""

import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.organisations.models import Organisation, OrganisationKind
from caseflow.people.models import CaseNote
from caseflow.referrals.models import Appointment, Referral
from caseflow.security import form_tokens
from tests.factories import (
    CustodyEpisodeFactory,
    PersonFactory,
    ReferralFactory,
    UserFactory,
    provider_serving,
)
from tests.helpers import page, signed_in_client
from tests.security.state import changed_tables, database_state

TODAY = local_today()
PROVIDER = Organisation.kind == OrganisationKind.TREATMENT_PROVIDER

# The token module itself ---------------------------------------------------------------------


def test_a_token_matches_only_its_own_kind_user_and_subject(app):
    user, other_user = uuid.uuid4(), uuid.uuid4()
    subject, other_subject = uuid.uuid4(), uuid.uuid4()
    token = form_tokens.issue("referral", user, subject)
    assert form_tokens.matches(token, "referral", user, subject)
    assert not form_tokens.matches(token, "referral", other_user, subject)
    assert not form_tokens.matches(token, "referral", user, other_subject)
    assert not form_tokens.matches(token, "case_note", user, subject)
    assert form_tokens.issue("referral", user, subject) != token  # a new nonce each time


@pytest.mark.parametrize(
    "token",
    [None, "", "x" * 64, "0" * 64, "a\x00" * 32, "é" * 64, "0" * 32, "0" * 65],
    ids=["none", "empty", "not-hex", "zero-mac", "nul", "non-ascii", "short", "long"],
)
def test_anything_not_issued_for_the_form_does_not_match(app, token):
    assert not form_tokens.matches(token, "referral", uuid.uuid4(), uuid.uuid4())


def test_an_altered_token_does_not_match(app):
    user, subject = uuid.uuid4(), uuid.uuid4()
    token = form_tokens.issue("appointment", user, subject)
    flipped = token[:-1] + ("0" if token[-1] != "0" else "1")
    assert not form_tokens.matches(flipped, "appointment", user, subject)


def test_a_token_fits_the_creation_token_column(app):
    assert len(form_tokens.issue("case_note", uuid.uuid4(), uuid.uuid4())) <= 64
    assert Referral.__table__.c.creation_token.type.length >= form_tokens.LENGTH


# Every form that carries a token, through the pages -----------------------------------------


@dataclass
class TokenForm:
    """One kind of form with a token: where it is shown, where it is sent, what it makes."""

    name: str
    role: str
    model: type

    def subjects(self, user) -> tuple:
        """Two records the user may make this kind of record for: A and B."""
        if self.name == "appointment":
            return tuple(
                ReferralFactory(status="accepted", provider_id=user.organisation_id)
                for _ in range(2)
            )
        provider_serving()  # the one provider the referral form offers
        people = []
        for _ in range(2):
            person = PersonFactory(recorded_by=user.organisation)
            CustodyEpisodeFactory(
                person=person,
                prison=user.organisation,
                actual_release_date=TODAY - timedelta(days=3),
            )
            people.append(person)
        return tuple(people)

    def colleague(self, user):
        return UserFactory(role=self.role, organisation=user.organisation)

    def page_url(self, subject) -> str:
        return {
            "referral": f"/people/{subject.id}/referrals/new",
            "appointment": f"/referrals/{subject.id}/appointments/new",
            "case_note": f"/people/{subject.id}",
        }[self.name]

    def action(self, subject) -> str:
        return {
            "referral": f"/people/{subject.id}/referrals/new",
            "appointment": f"/referrals/{subject.id}/appointments/new",
            "case_note": f"/people/{subject.id}/notes",
        }[self.name]

    def values(self) -> dict:
        if self.name == "referral":
            return {
                "provider": str(db.session.scalar(select(Organisation.id).where(PROVIDER))),
                "consent": "given",
                "substance_group": "opiate",
                "opioid_medicine": "methadone",
                "opioid_dose": "60ml daily",
                "bridging_prescription": "yes",
                "long_acting_injectable": "no",
                "naloxone_on_release": "yes",
                "save_draft": "Save as draft",
            }
        if self.name == "appointment":
            return {"appointment_date": [str(TODAY.day), str(TODAY.month), str(TODAY.year)]}
        return {"text": "Spoke to the GP about the bridging script"}

    def made_for(self, subject) -> list:
        column = self.model.referral_id if self.name == "appointment" else self.model.person_id
        return list(db.session.scalars(select(self.model).where(column == subject.id)))


FORMS = [
    TokenForm("referral", "prison_healthcare", Referral),
    TokenForm("appointment", "keyworker", Appointment),
    TokenForm("case_note", "prison_healthcare", CaseNote),
]
BY_NAME = pytest.mark.parametrize("form", FORMS, ids=[form.name for form in FORMS])


def the_form(client, form: TokenForm, subject) -> dict:
    """The CSRF token and one-time token of the form as its page shows it."""
    soup = page(client, form.page_url(subject))
    shown = soup.find("input", {"name": "token"}).find_parent("form")
    fields = {field["name"]: field.get("value", "") for field in shown.find_all("input")}
    return {"csrf_token": fields["csrf_token"], "token": fields["token"]}


def send(client, form: TokenForm, subject, tokens: dict, **extra):
    return client.post(form.action(subject), data={**form.values(), **tokens, **extra})


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def refused(response) -> None:
    assert response.status_code == 400, response.status_code
    text = BeautifulSoup(response.data, "html.parser").get_text(" ", strip=True)
    assert "This form could not be sent" in text


@BY_NAME
def test_the_same_form_sent_twice_makes_one_record(app, form):
    user = UserFactory(role=form.role)
    a, _b = form.subjects(user)
    db.session.commit()
    client = signed_in_client(app, user)
    tokens = the_form(client, form, a)
    first = send(client, form, a, tokens)
    second = send(client, form, a, tokens)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert len(form.made_for(a)) == 1


@BY_NAME
def test_a_token_from_one_persons_form_is_refused_in_anothers(app, form):
    user = UserFactory(role=form.role)
    a, b = form.subjects(user)
    db.session.commit()
    client = signed_in_client(app, user)
    tokens = the_form(client, form, a)
    assert send(client, form, a, tokens).status_code == 302
    made_for_a = form.made_for(a)
    db.session.commit()
    before = database_state()

    b_csrf = the_form(client, form, b)["csrf_token"]
    # For a referral, B's form asks to send: with A's token it used to send A's draft.
    also = {"send": "Save and send"} if form.name == "referral" else {}

    response = send(client, form, b, {**tokens, "csrf_token": b_csrf}, **also)

    refused(response)
    assert form.made_for(b) == []
    assert changed_tables(before) == []  # A's record was not sent, nor anything else changed
    assert form.made_for(a) == made_for_a


@BY_NAME
def test_a_token_from_someone_elses_form_is_refused(app, form):
    user = UserFactory(role=form.role)
    a, _b = form.subjects(user)
    colleague = form.colleague(user)
    db.session.commit()
    theirs = signed_in_client(app, colleague)
    their_tokens = the_form(theirs, form, a)
    assert send(theirs, form, a, their_tokens).status_code == 302
    db.session.commit()
    mine = signed_in_client(app, user)
    before = database_state()

    # My own CSRF token, from my own form for the other subject: for a referral, a's page now
    # shows the live referral the colleague made (one live referral per release) instead.
    response = send(
        mine, form, a, {**their_tokens, "csrf_token": the_form(mine, form, _b)["csrf_token"]}
    )

    refused(response)
    assert changed_tables(before) == []
    assert len(form.made_for(a)) == 1


@BY_NAME
def test_a_token_never_issued_is_refused_and_saves_nothing(app, form):
    user = UserFactory(role=form.role)
    a, _b = form.subjects(user)
    db.session.commit()
    client = signed_in_client(app, user)
    tokens = the_form(client, form, a)
    before = database_state()
    response = send(client, form, a, {**tokens, "token": uuid.uuid4().hex})
    refused(response)
    assert changed_tables(before) == []


def test_a_token_from_another_kind_of_form_is_refused(app):
    user = UserFactory(role="prison_healthcare")
    referral, note = FORMS[0], FORMS[2]
    a, _b = referral.subjects(user)
    db.session.commit()
    client = signed_in_client(app, user)
    note_tokens = the_form(client, note, a)
    before = database_state()
    response = send(client, referral, a, note_tokens)
    refused(response)
    assert changed_tables(before) == []
    assert count(Referral) == 0
