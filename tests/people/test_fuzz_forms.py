"""Hypothesis over the people forms: finding and adding a person, custody episodes and their
changes, case notes and emergency access (the checks are in tests/fuzz.py)."""

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.organisations.models import OrganisationKind
from caseflow.people.models import (
    BreakGlassGrant,
    CaseNote,
    CustodyChange,
    CustodyEpisode,
    Person,
)
from tests.factories import (
    TEST_PASSWORD,
    CustodyEpisodeFactory,
    OrganisationFactory,
    PersonFactory,
    person_in_custody_at,
    provider_serving,
    valid_nhs_number,
)
from tests.fuzz import (
    ARABIC_INDIC,
    FORGED_TOKENS,
    FULL_WIDTH,
    HOME_AREA,
    SERIAL,
    TODAY,
    as_date,
    as_identifier,
    as_text,
    first,
    fuzz_post,
    in_digits,
    issued,
    parts,
    refused_leaves_nothing,
)

# People -----------------------------------------------------------------------------------------

FIND = {
    "nhs_number": "ident",
    "prison_number": "ident",
    "crn": "ident",
    "family_name": "text",
    "date_of_birth": "date",
}


@given(data=st.data())
def test_find_a_person(actor, data):
    me = actor("prison_healthcare")
    person = person_in_custody_at(me.user.organisation)
    db.session.commit()
    valid = {"nhs_number": person.nhs_number}
    outcome = fuzz_post(data, me.client, me.token, "/people/find", FIND, valid)
    refused_leaves_nothing(outcome)
    assert outcome.status == 200


PERSON = {
    "given_name": "text",
    "family_name": "text",
    "date_of_birth": "date",
    "sex": "choice",
    "ethnic_group": "choice",
    "nhs_number": "ident",
    "prison_number": "ident",
    "crn": "ident",
    "pnc_number": "ident",
    "address": "text",
    "phone": "text",
    "flags": "multi",
}


def valid_person() -> dict:
    n = next(SERIAL)
    return {
        "given_name": "Ada",
        "family_name": "Lovelace",
        "date_of_birth": ["10", "12", "1985"],
        "sex": "female",
        "ethnic_group": "white",
        "nhs_number": valid_nhs_number(600_000 + n),
        "prison_number": f"Z{n % 10000:04d}ZZ",
        "crn": f"Z{n % 1_000_000:06d}",
        "pnc_number": "2012/0052494X",
        "address": "1 High Street",
        "phone": "07700900456",
        "flags": ["safeguarding"],
    }


@given(data=st.data())
def test_add_a_person(actor, data):
    me = actor("probation")
    outcome = fuzz_post(data, me.client, me.token, "/people/new", PERSON, valid_person())
    if outcome.succeeded:
        sent = outcome.sent
        person = db.session.get(Person, outcome.record_id("/people"))
        assert person.given_name == as_text(sent["given_name"])
        assert person.family_name == as_text(sent["family_name"])
        assert person.date_of_birth == as_date(sent["date_of_birth"])
        assert person.sex == first(sent["sex"])
        assert person.ethnic_group == first(sent["ethnic_group"])
        for name in ("nhs_number", "prison_number", "crn", "pnc_number"):
            assert getattr(person, name) == as_identifier(sent.get(name)), name
        assert person.address == as_text(sent.get("address"))
        assert person.phone == as_text(sent.get("phone"))
        flags = sent.get("flags") or []
        assert person.safeguarding == ("safeguarding" in flags)
        assert person.recorded_by_organisation_id == me.user.organisation_id


EPISODE = {
    "reception_date": "date",
    "expected_release_date": "date",
    "expected_release_unknown_reason": "choice",
    "destination_local_authority": "choice",
    "accommodation_on_release": "choice",
    "treatment_need": "choice",
    "substance_group": "choice",
    "opioid_substitution": "choice",
    "last_dose_date": "date",
    "naloxone_issued": "choice",
    "bridging_prescription": "choice",
}


VALID_EPISODE = {
    "reception_date": parts(TODAY - timedelta(days=10)),
    "expected_release_date": parts(TODAY + timedelta(days=60)),
    "expected_release_unknown_reason": "",
    "destination_local_authority": HOME_AREA,
    "accommodation_on_release": "settled",
    "treatment_need": "in_treatment",
    "substance_group": "opiate",
    "opioid_substitution": "methadone",
    "last_dose_date": parts(TODAY - timedelta(days=1)),
    "naloxone_issued": "yes",
    "bridging_prescription": "no",
}


@given(data=st.data())
def test_add_a_custody_episode(actor, data):
    me = actor("prison_healthcare")
    person = PersonFactory(recorded_by=me.user.organisation)
    other = PersonFactory()
    db.session.commit()
    outcome = fuzz_post(
        data,
        me.client,
        me.token,
        f"/people/{person.id}/custody/new",
        EPISODE,
        VALID_EPISODE,
        real_ids=[other.id],
    )
    if outcome.succeeded:
        sent = outcome.sent
        episode = db.session.scalar(
            select(CustodyEpisode).where(CustodyEpisode.person_id == person.id)
        )
        assert episode.prison_id == me.user.organisation_id
        assert episode.reception_date == as_date(sent["reception_date"])
        assert episode.expected_release_date == as_date(sent.get("expected_release_date"))
        # Optional: left out for a release outside England, to a secure setting or deportation.
        assert episode.destination_local_authority_code == (
            first(sent.get("destination_local_authority")) or None
        )
        assert episode.treatment_need == first(sent["treatment_need"])
        assert episode.last_dose_date == as_date(sent.get("last_dose_date"))


CHANGES = {
    "release": (
        {
            "version": "int",
            "actual_release_date": "date",
            "release_type": "choice",
            "unplanned_release": "choice",
            "reason": "text",
        },
        {
            "version": "1",
            "actual_release_date": parts(TODAY),
            "release_type": "licence",
            "reason": "Released on licence",
        },
    ),
    "expected-release": (
        {"version": "int", "expected_release_date": "date", "reason": "text"},
        {
            "version": "1",
            "expected_release_date": parts(TODAY + timedelta(days=90)),
            "reason": "Parole date set",
        },
    ),
    "transfer": (
        {"version": "int", "prison": "id", "reason": "text"},
        {"version": "1", "reason": "Moved for a course"},
    ),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
@given(data=st.data())
def test_change_a_custody_episode(actor, data, change):
    me = actor("prison_healthcare")
    person = person_in_custody_at(me.user.organisation)
    episode = db.session.scalar(select(CustodyEpisode).where(CustodyEpisode.person_id == person.id))
    elsewhere = OrganisationFactory(kind=OrganisationKind.PRISON)
    provider = provider_serving(HOME_AREA)
    other_episode = CustodyEpisodeFactory()
    db.session.commit()
    spec, valid = CHANGES[change]
    valid = {**valid, "prison": str(elsewhere.id)} if change == "transfer" else valid
    outcome = fuzz_post(
        data,
        me.client,
        me.token,
        f"/people/{person.id}/custody/{episode.id}/{change}",
        spec,
        valid,
        real_ids=[provider.id, other_episode.id, other_episode.prison_id, person.id],
    )
    if outcome.succeeded:
        sent = outcome.sent
        db.session.refresh(episode)
        note = db.session.scalar(
            select(CustodyChange).where(CustodyChange.episode_id == episode.id)
        )
        assert note.reason == as_text(sent["reason"])
        if change == "release":
            assert episode.actual_release_date == as_date(sent["actual_release_date"])
            assert episode.release_type == first(sent["release_type"])
        elif change == "expected-release":
            assert episode.expected_release_date == as_date(sent["expected_release_date"])
        else:
            assert str(episode.prison_id) == first(sent["prison"])
        assert episode.person_id == person.id


CASE_NOTE = {"text": "text", "token": "hidden"}


@given(data=st.data())
def test_add_a_case_note(actor, data):
    me = actor("prison_healthcare")
    person = person_in_custody_at(me.user.organisation)
    db.session.commit()
    outcome = fuzz_post(
        data,
        me.client,
        me.token,
        f"/people/{person.id}/notes",
        CASE_NOTE,
        {"text": "Spoke on the phone", "token": issued("case_note", me, person.id)},
    )
    if outcome.succeeded:
        notes = list(db.session.scalars(select(CaseNote).where(CaseNote.person_id == person.id)))
        assert [note.text for note in notes] == [as_text(outcome.sent["text"])]
        assert notes[0].organisation_id == me.user.organisation_id


BREAK_GLASS = {"password": "password", "reason": "text"}


@given(data=st.data())
def test_break_glass(actor, data):
    me = actor("keyworker")
    person = person_in_custody_at(OrganisationFactory(kind=OrganisationKind.PRISON))
    db.session.commit()
    # The exact identifier search that offers emergency access to this one person.
    found = me.client.post(
        "/people/find", data={"nhs_number": person.nhs_number, "csrf_token": me.token}
    )
    assert found.status_code == 200
    outcome = fuzz_post(
        data,
        me.client,
        me.token,
        "/people/emergency-access",
        BREAK_GLASS,
        {"password": TEST_PASSWORD, "reason": "Arrived without a referral"},
        # Emergency access shows the record, with its banner, rather than a success message.
        succeeded_when=lambda response: response.headers.get("Location") == f"/people/{person.id}",
    )
    grants = list(
        db.session.scalars(select(BreakGlassGrant).where(BreakGlassGrant.person_id == person.id))
    )
    if outcome.succeeded:
        assert [grant.reason for grant in grants] == [as_text(outcome.sent["reason"])]
        assert grants[0].user_id == me.user.id
    else:
        assert grants == []


# Regressions: the bugs this file found, with the inputs that found them ---------------------


@pytest.mark.parametrize("url", ["/people/new", "/people/find"])
def test_regression_superscript_nhs_number_is_a_message(actor, url):
    """Was a 500: nhs_check_digit called int() on digits str.isdigit() accepts but int() cannot
    read (superscripts), raising ValueError out of nhs_number_check, which WTForms does not
    catch."""
    me = actor("probation")
    response = me.client.post(
        url, data={**valid_person(), "nhs_number": "¹²³⁴⁵⁶⁷⁸⁹⁰", "csrf_token": me.token}
    )
    assert response.status_code == 200
    assert "Enter a valid NHS number" in response.get_data(as_text=True)


@FORGED_TOKENS
def test_regression_forged_case_note_token(actor, token):
    """Was a 500: the hidden one-time token had no limit or filter, so over 64 characters
    overflowed creation_token varchar(64), and a NUL could not be sent to PostgreSQL. A token
    not issued for the form is now refused with a 400 page (tests/security/test_one_time_tokens.py)
    and nothing is saved."""
    me = actor("prison_healthcare")
    person = person_in_custody_at(me.user.organisation)
    db.session.commit()
    response = me.client.post(
        f"/people/{person.id}/notes",
        data={"text": "Spoke on the phone", "token": token, "csrf_token": me.token},
    )
    assert response.status_code == 400
    assert db.session.scalar(select(CaseNote).where(CaseNote.person_id == person.id)) is None


def test_regression_same_nhs_number_in_other_digits_is_not_a_second_record(actor):
    """Was a second record: identifier checks took any Unicode decimal digit (str.isdigit,
    regex \\d), and the blind index's NFKC does not fold Arabic-Indic digits to ASCII, so the
    duplicate check missed the same NHS number typed in another script."""
    me = actor("probation")
    first_try = me.client.post(
        "/people/new", data={**valid_person(), "nhs_number": "9434765919", "csrf_token": me.token}
    )
    assert first_try.status_code == 302
    for digits in (ARABIC_INDIC, FULL_WIDTH):
        again = me.client.post(
            "/people/new",
            data={
                **valid_person(),
                "nhs_number": in_digits("9434765919", digits),
                "csrf_token": me.token,
            },
        )
        assert again.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Person)) == 1
