"""No personal data in the logs (SECURITY.md, HTTP: "no personal data in logs").

One whole journey with a synthetic person, every logger at DEBUG (the root logger, SQLAlchemy's
engine and pool, Werkzeug, psycopg and the app's own), then a search of everything logged for
any of the person's values: names, NHS number, prison number, CRN, date of birth, address,
phone, case note and every reason typed.

The journey runs on a database of its own that it commits to for real, so the connections are
made after logging is turned up and SQLAlchemy logs every statement and its parameters.

Everything is searched twice: as pytest captured it, and as production writes it, one JSON
object a line with the request id (caseflow.logs), which must parse line by line.

The test client does not write Werkzeug's access log; that log is the method, path, query and
status of each request, so every URL requested and every redirect is checked instead.
"""

import io
import json
import logging
import re
from datetime import timedelta

import flask_migrate
import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from caseflow import logs
from caseflow.auth.models import User
from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.organisations.models import OrganisationKind
from caseflow.people.models import CustodyEpisode, Person
from caseflow.referrals.models import Referral
from tests.conftest import make_test_app
from tests.factories import (
    TEST_PASSWORD,
    OrganisationFactory,
    UserFactory,
    provider_serving,
    valid_nhs_number,
)
from tests.helpers import current_code, signed_in_client

TODAY = local_today()
NHS_NUMBER = valid_nhs_number(424_242)
PERSON = {
    "given_name": "Zephyrine",
    "family_name": "Quillfeather",
    "date_of_birth": ["23", "7", "1961"],
    "sex": "female",
    "ethnic_group": "white",
    "nhs_number": NHS_NUMBER,
    "prison_number": "Q7391ZX",
    "crn": "V482913",
    "pnc_number": "1961/0424242Q",
    "address": "17 Larkspur Mews, Harborne",
    "phone": "07700 900 613",
}
CASE_NOTE = "Talked through the Tamarisk overdose plan with her sister"
REASONS = {
    "expected": "Parole board moved the Marigold hearing",
    "release": "Collected at the gate by Ottoline",
    "risks": "Overdose risk after the Juniper incident",
    "contact": "Ring her cousin Perpetua on arrival",
    "override": "Sharing despite refusal because of the Sorrel threat",
    "break_glass": "Presented unconscious at Wisteria walk-in centre",
}
# Every way the values might be written: as typed, compacted, formatted, as Python would show
# them. Matched case-insensitively.
SENSITIVE = [
    PERSON["given_name"],
    PERSON["family_name"],
    NHS_NUMBER,
    f"{NHS_NUMBER[:3]} {NHS_NUMBER[3:6]} {NHS_NUMBER[6:]}",
    PERSON["prison_number"],
    PERSON["crn"],
    PERSON["pnc_number"],
    "1961-07-23",
    "23/07/1961",
    "23 July 1961",
    "23 7 1961",
    "1961, 7, 23",
    "Larkspur",
    "07700 900 613",
    "07700900613",
    CASE_NOTE,
    "Tamarisk",
    *REASONS.values(),
    "Marigold",
    "Ottoline",
    "Juniper",
    "Perpetua",
    "Sorrel",
    "Wisteria",
]
LOGGERS = ["", "sqlalchemy", "sqlalchemy.engine", "sqlalchemy.pool", "werkzeug", "psycopg"]


def every_logger_at_debug(caplog, app) -> None:
    """Root and the named loggers at DEBUG, and every logger that has its own level: Alembic's
    fileConfig (migrations/alembic.ini) sets sqlalchemy.engine to WARN when the app migrates."""
    named = {
        name
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger) and logger.level != logging.NOTSET
    }
    for name in [*LOGGERS, app.logger.name, *sorted(named)]:
        caplog.set_level(logging.DEBUG, logger=name or None)
        assert not logging.getLogger(name or None).disabled, name


@pytest.fixture
def json_log():
    """What the JSON handler production puts on the root logger writes during the test."""
    stream = io.StringIO()
    handler = logs.json_handler(stream)
    logging.getLogger().addHandler(handler)
    yield stream
    logging.getLogger().removeHandler(handler)


def json_text(stream: io.StringIO) -> str:
    """The JSON lines, each checked to parse, as one text to search; request lines have ids."""
    text = stream.getvalue()
    entries = [json.loads(line) for line in text.splitlines()]
    requests = [entry for entry in entries if entry["message"] == "request"]
    assert requests, "no request lines were written"
    assert all(entry["request_id"] for entry in requests)
    return text


@pytest.fixture
def journey_app(own_database):
    app = make_test_app(own_database)
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()  # connections from here on are made with logging turned up
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


class Browser:
    """A test client that remembers every URL it asked for and was sent to."""

    def __init__(self, client, seen: list[str]):
        self.client = client
        self.seen = seen

    def _note(self, url, response):
        self.seen.append(url)
        if "Location" in response.headers:
            self.seen.append(response.headers["Location"])
        return response

    def get(self, url, **kwargs):
        return self._note(url, self.client.get(url, **kwargs))

    def token(self, url) -> str:
        page = BeautifulSoup(self.get(url).data, "html.parser")
        return page.find("input", {"name": "csrf_token"})["value"]

    def post(self, url, data, *, form_url=None, **kwargs):
        token = self.token(form_url or url)
        return self._note(url, self.client.post(url, data={**data, "csrf_token": token}, **kwargs))


def sign_in_through_the_pages(app, user_id, seen) -> Browser:
    with app.app_context():
        user = db.session.get(User, user_id)
        email = user.email
    browser = Browser(app.test_client(), seen)
    response = browser.post("/sign-in", {"email": email, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.status_code
    with app.app_context():
        code = current_code(db.session.get(User, user_id))
    response = browser.post("/sign-in/code", {"code": code})
    assert response.status_code == 302, response.status_code
    return browser


def parts(day) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def test_a_whole_journey_logs_nothing_personal(journey_app, caplog, monkeypatch, json_log):
    app = journey_app
    every_logger_at_debug(caplog, app)
    seen: list[str] = []

    with app.app_context():
        prison = OrganisationFactory(kind=OrganisationKind.PRISON, name="HMP Journey")
        provider = provider_serving("E08000025", name="Journey Recovery")
        nurse = UserFactory(role="prison_healthcare", organisation=prison)
        keyworker = UserFactory(role="keyworker", organisation=provider)
        elsewhere = UserFactory(role="prison_healthcare")
        outreach = UserFactory(role="outreach_worker")
        admin = UserFactory(role="admin")
        auditor = UserFactory(role="auditor")
        db.session.commit()
        nurse_id, keyworker_id, provider_id = nurse.id, keyworker.id, provider.id
        others = {
            user.role + ("-elsewhere" if user is elsewhere else ""): Browser(
                signed_in_client(app, user), seen
            )
            for user in (elsewhere, outreach, admin, auditor)
        }

    # Prison healthcare signs in, adds the person and their custody episode.
    ward = sign_in_through_the_pages(app, nurse_id, seen)
    response = ward.post("/people/new", PERSON)
    assert response.status_code == 302, response.status_code
    with app.app_context():
        person_id = db.session.scalar(select(Person.id))
    episode_form = {
        "reception_date": parts(TODAY - timedelta(days=40)),
        "expected_release_date": parts(TODAY + timedelta(days=10)),
        "destination_local_authority": "E08000025",
        "accommodation_on_release": "temporary",
        "treatment_need": "in_treatment",
        "substance_group": "opiate",
        "opioid_substitution": "methadone",
        "last_dose_date": parts(TODAY - timedelta(days=1)),
        "naloxone_issued": "yes",
        "bridging_prescription": "yes",
    }
    response = ward.post(f"/people/{person_id}/custody/new", episode_form)
    assert response.status_code == 302, response.status_code
    with app.app_context():
        episode_id = db.session.scalar(select(CustodyEpisode.id))
    episode_url = f"/people/{person_id}/custody/{episode_id}"

    # The expected release moves, then the release is recorded.
    response = ward.post(
        f"{episode_url}/expected-release",
        {
            "version": "1",
            "expected_release_date": parts(TODAY + timedelta(days=20)),
            "reason": REASONS["expected"],
        },
    )
    assert response.status_code == 302, response.status_code
    response = ward.post(
        f"{episode_url}/release",
        {
            "version": "2",
            "actual_release_date": parts(TODAY),
            "release_type": "licence",
            "reason": REASONS["release"],
        },
    )
    assert response.status_code == 302, response.status_code

    # A search by NHS number, and the person's page.
    response = ward.post("/people/find", {"nhs_number": NHS_NUMBER})
    assert PERSON["family_name"] in response.get_data(as_text=True)
    assert ward.get(f"/people/{person_id}").status_code == 200

    # A referral, made and sent, without consent but with a reason.
    referral_form = {
        "provider": str(provider_id),
        "consent": "overridden",
        "consent_override_reason": REASONS["override"],
        "substance_group": "opiate",
        "opioid_medicine": "methadone",
        "opioid_dose": "60ml daily",
        "bridging_prescription": "yes",
        "long_acting_injectable": "no",
        "naloxone_on_release": "yes",
        "risks": REASONS["risks"],
        "contact_after_release": REASONS["contact"],
        "send": "Continue",
    }
    response = ward.post(f"/people/{person_id}/referrals/new", referral_form)
    assert response.status_code == 302, response.status_code
    # Checked, then sent from the check answers page.
    assert ward.get(response.headers["Location"]).status_code == 200
    response = ward.post(response.headers["Location"], {})
    assert response.status_code == 302, response.status_code
    with app.app_context():
        referral = db.session.scalar(select(Referral))
        referral_id = referral.id
        assert referral.status == "sent"

    # The keyworker accepts, records the start of treatment and adds a case note.
    team = sign_in_through_the_pages(app, keyworker_id, seen)
    assert team.post(f"/referrals/{referral_id}/accept", {}).status_code == 302
    response = team.post(f"/referrals/{referral_id}/engage", {"treatment_start_date": parts(TODAY)})
    assert response.status_code == 302, response.status_code
    response = team.post(
        f"/people/{person_id}/notes", {"text": CASE_NOTE}, form_url=f"/people/{person_id}"
    )
    assert response.status_code == 302, response.status_code
    with app.app_context():
        assert db.session.get(Referral, referral_id).status == "engaged"

    # Denials: a prison with no relationship, a role without the permission, and a search
    # that matches someone out of scope.
    assert others["prison_healthcare-elsewhere"].get(f"/people/{person_id}").status_code == 404
    assert others["admin"].get(f"/people/{person_id}").status_code == 403
    outreach_browser = others["outreach_worker"]
    response = outreach_browser.post("/people/find", {"nhs_number": NHS_NUMBER})
    assert response.status_code == 200
    # ... and emergency access to that person, with a reason.
    response = outreach_browser.post(
        "/people/emergency-access", {"password": TEST_PASSWORD, "reason": REASONS["break_glass"]}
    )
    assert response.status_code == 302 and response.headers["Location"] == f"/people/{person_id}"

    # The auditor looks the person up in the log and exports everything held about them.
    audit = others["auditor"]
    assert audit.post("/audit/", {"nhs_number": NHS_NUMBER}).status_code == 200
    response = audit.post("/audit/subject-access", {"prison_number": PERSON["prison_number"]})
    assert response.status_code == 200 and PERSON["family_name"] in response.get_data(True)

    # A failure inside a request whose exception carries the person's details.
    from caseflow import timeline

    def broken_timeline(actor, person):
        raise ValueError(
            f"cannot show {person.given_name} {person.family_name}, born "
            f"{person.date_of_birth}, NHS {person.nhs_number}: {CASE_NOTE}"
        )

    monkeypatch.setattr(timeline, "timeline_for", broken_timeline)
    assert team.get(f"/people/{person_id}").status_code == 500
    monkeypatch.undo()

    logged = caplog.text
    # The capture is live: SQL with its parameters, the app's error line.
    assert re.search(r"INSERT INTO people\b", logged), "SQLAlchemy's statements were not captured"
    assert "[generated in" in logged or "[cached since" in logged, "no SQL parameters captured"
    assert "Unhandled ValueError on people.show" in logged
    assert_nothing_personal(logged, seen)
    as_json = json_text(json_log)
    assert re.search(r"INSERT INTO people\b", as_json)
    assert '"Unhandled ValueError on people.show"' in as_json
    assert_nothing_personal(as_json, seen)


def assert_nothing_personal(logged: str, urls: list[str]) -> None:
    leaked = [value for value in SENSITIVE if value.casefold() in logged.casefold()]
    lines = [
        line[:300]
        for line in logged.splitlines()
        if any(v.casefold() in line.casefold() for v in leaked)
    ]
    assert leaked == [], f"personal values in the logs: {leaked}: {lines[:5]}"
    in_urls = [value for value in SENSITIVE for url in urls if value.casefold() in url.casefold()]
    assert in_urls == [], f"personal values in URLs (Werkzeug's access log): {in_urls}"


def test_details_typed_into_the_sign_in_form_are_not_logged(journey_app, caplog, json_log):
    app = journey_app
    every_logger_at_debug(caplog, app)
    with app.app_context():
        UserFactory(role="prison_healthcare")
        db.session.commit()
    seen: list[str] = []
    stranger = Browser(app.test_client(), seen)
    response = stranger.post(
        "/sign-in", {"email": f"{PERSON['family_name']}@example.com", "password": NHS_NUMBER}
    )
    assert response.status_code == 200
    assert "[generated in" in caplog.text or "[cached since" in caplog.text
    assert_nothing_personal(caplog.text, seen)
    assert_nothing_personal(json_text(json_log), seen)
