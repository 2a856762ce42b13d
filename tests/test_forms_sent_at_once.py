"""Forms sent at the same moment, on PostgreSQL with real transactions and real threads.

SECURITY.md, Reliability: a form with a one-time token sent twice makes one record, and two
people saving one record at once never lose what they typed. The first request is held with
its transaction open, just after it has written its row, until the second is waiting on a lock
the first holds; then the first commits and the second goes on. That is the moment a double
click or two colleagues meet in the database, every time.

* The same form, twice (referral, appointment, case note, person): one record, and both answers
  are the redirect to it.
* One draft referral or one custody episode saved by two people: the first is saved, the
  second gets the 409 page with what they typed; neither gets a 500.
"""

import threading
import time
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.organisations.models import Organisation
from caseflow.people.models import CaseNote, CustodyEpisode, Person
from caseflow.referrals.codes import Status
from caseflow.referrals.models import Appointment, Referral
from tests.factories import (
    CustodyEpisodeFactory,
    PersonFactory,
    ReferralFactory,
    UserFactory,
    provider_serving,
)
from tests.helpers import signed_in_client

pytestmark = pytest.mark.postgres

TODAY = local_today()
WAIT = 15  # seconds: far longer than either request takes


def waiting_on_a_lock(app) -> bool:
    with app.app_context(), db.engine.connect() as connection:
        return bool(
            connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar()
        )


def at_once(app, first, second, *, held_after: type):
    """Run two requests so that they meet: ``first`` is held, its transaction open, after the
    flush that writes a ``held_after`` row; ``second`` starts then, and ``first`` goes on once
    ``second`` waits on a lock it holds. Returns both responses."""
    written, go_on = threading.Event(), threading.Event()

    def hold(session, _context):
        if threading.current_thread().name != "first" or written.is_set():
            return
        if any(isinstance(row, held_after) for row in (*session.new, *session.dirty)):
            written.set()
            go_on.wait(WAIT)

    answers: dict = {}

    def run(name, request):
        try:
            answers[name] = request()
        finally:
            written.set()

    event.listen(Session, "after_flush", hold)
    try:
        one = threading.Thread(target=run, args=("first", first), name="first")
        two = threading.Thread(target=run, args=("second", second), name="second")
        one.start()
        assert written.wait(WAIT), "the first request never wrote its row"
        two.start()
        deadline = time.monotonic() + WAIT
        while not waiting_on_a_lock(app):
            assert two.is_alive(), "the second request finished without meeting the first"
            assert time.monotonic() < deadline, "the second request never waited for the first"
            time.sleep(0.02)
        go_on.set()
        one.join(WAIT)
        two.join(WAIT)
    finally:
        go_on.set()
        event.remove(Session, "after_flush", hold)
    return answers["first"], answers["second"]


def second_tab(app, client):
    """Another client on the same signed-in session: a second click from the same browser."""
    name = app.config["SESSION_COOKIE_NAME"]
    other = app.test_client()
    other.set_cookie(name, client.get_cookie(name).value)
    return other


def fields_of(client, url, *names) -> dict:
    soup = BeautifulSoup(client.get(url).data, "html.parser")
    values = {"csrf_token": soup.find("input", {"name": "csrf_token"})["value"]}
    for name in names:
        values[name] = soup.find("input", {"name": name})["value"]
    return values


def count(app, model, **where) -> int:
    with app.app_context():
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return db.session.scalar(query)


def released_person_at(prison) -> Person:
    person = PersonFactory(recorded_by=prison)
    CustodyEpisodeFactory(
        person=person, prison=prison, actual_release_date=TODAY - timedelta(days=3)
    )
    return person


# The same form sent twice at once ------------------------------------------------------------


def referral_form(app, user):
    person = released_person_at(user.organisation)
    provider = provider_serving()
    values = {
        "provider": str(provider.id),
        "consent": "given",
        "substance_group": "opiate",
        "opioid_medicine": "methadone",
        "opioid_dose": "60ml daily",
        "bridging_prescription": "yes",
        "long_acting_injectable": "no",
        "naloxone_on_release": "yes",
        "save_draft": "Save as draft",
    }
    url = f"/people/{person.id}/referrals/new"
    return url, url, values, Referral, {"person_id": person.id}


def appointment_form(app, user):
    referral = ReferralFactory(status=Status.ACCEPTED, provider_id=user.organisation_id)
    url = f"/referrals/{referral.id}/appointments/new"
    values = {"appointment_date": [str(TODAY.day), str(TODAY.month), str(TODAY.year)]}
    return url, url, values, Appointment, {"referral_id": referral.id}


def case_note_form(app, user):
    person = released_person_at(user.organisation)
    values = {"text": "Spoke to the GP about the bridging script"}
    return (
        f"/people/{person.id}",
        f"/people/{person.id}/notes",
        values,
        CaseNote,
        {"person_id": person.id},
    )


def person_form(app, user):
    values = {
        "given_name": "Ottoline",
        "family_name": "Brackenbury",
        "date_of_birth": ["2", "3", "1984"],
        "sex": "female",
        "ethnic_group": "white",
        "nhs_number": "9434765919",
    }
    return "/people/new", "/people/new", values, Person, {}


FORMS = {
    "referral": ("prison_healthcare", referral_form),
    "appointment": ("keyworker", appointment_form),
    "case_note": ("prison_healthcare", case_note_form),
    "person": ("probation", person_form),
}


@pytest.mark.parametrize("kind", sorted(FORMS))
def test_the_same_form_sent_twice_at_once_makes_one_record(committed_app, kind):
    app = committed_app
    role, make = FORMS[kind]
    with app.app_context():
        user = UserFactory(role=role)
        shown_at, sent_to, values, model, made_for = make(app, user)
        db.session.commit()
        click = signed_in_client(app, user)
    values |= fields_of(click, shown_at, "token")
    again = second_tab(app, click)

    first, second = at_once(
        app,
        lambda: click.post(sent_to, data=values),
        lambda: again.post(sent_to, data=values),
        held_after=model,
    )

    assert (first.status_code, second.status_code) == (302, 302)
    assert first.headers["Location"] == second.headers["Location"]
    assert count(app, model, **made_for) == 1


# One record saved by two people at once -------------------------------------------------------


def test_two_people_saving_one_draft_at_once_get_saved_and_the_409_page(committed_app):
    app = committed_app
    with app.app_context():
        prison = UserFactory(role="prison_healthcare").organisation
        referral = ReferralFactory(
            status=Status.DRAFT, episode__prison=prison, referring_organisation_id=prison.id
        )
        provider = db.session.get(Organisation, referral.provider_id)
        one = signed_in_client(app, UserFactory(role="prison_healthcare", organisation=prison))
        two = signed_in_client(app, UserFactory(role="prison_healthcare", organisation=prison))
        db.session.commit()
        url = f"/referrals/{referral.id}/edit"
        base = {
            "provider": str(provider.id),
            "consent": "given",
            "substance_group": "opiate",
            "opioid_medicine": "methadone",
            "bridging_prescription": "no",
            "long_acting_injectable": "no",
            "naloxone_on_release": "yes",
            "save_draft": "Save as draft",
        }
    mine = base | fields_of(one, url, "version") | {"risks": "Typed by the first"}
    theirs = base | fields_of(two, url, "version") | {"risks": "Typed by the second"}

    first, second = at_once(
        app,
        lambda: one.post(url, data=mine),
        lambda: two.post(url, data=theirs),
        held_after=Referral,
    )

    assert first.status_code == 302
    assert second.status_code == 409
    page = BeautifulSoup(second.data, "html.parser")
    assert "Someone else changed this referral" in page.get_text()
    assert page.find("textarea", {"name": "risks"}).get_text() == "Typed by the second"
    assert page.find("input", {"name": "version"})["value"] == "2"
    with app.app_context():
        assert db.session.get(Referral, referral.id).risks == "Typed by the first"


def test_two_people_changing_one_custody_episode_at_once_get_saved_and_the_409_page(
    committed_app,
):
    app = committed_app
    with app.app_context():
        nurse = UserFactory(role="prison_healthcare")
        episode = CustodyEpisodeFactory(prison=nurse.organisation)
        one = signed_in_client(app, nurse)
        two = signed_in_client(
            app, UserFactory(role="prison_healthcare", organisation=nurse.organisation)
        )
        db.session.commit()
        url = f"/people/{episode.person_id}/custody/{episode.id}/expected-release"
        episode_id = episode.id
    sooner, later = TODAY + timedelta(days=60), TODAY + timedelta(days=90)
    mine = fields_of(one, url, "version") | {
        "expected_release_date": [str(sooner.day), str(sooner.month), str(sooner.year)],
        "reason": "Parole hearing moved",
    }
    theirs = fields_of(two, url, "version") | {
        "expected_release_date": [str(later.day), str(later.month), str(later.year)],
        "reason": "Sentence recalculated",
    }

    first, second = at_once(
        app,
        lambda: one.post(url, data=mine),
        lambda: two.post(url, data=theirs),
        held_after=CustodyEpisode,
    )

    assert first.status_code == 302
    assert second.status_code == 409
    page = BeautifulSoup(second.data, "html.parser")
    assert "Someone else changed this custody episode" in page.get_text()
    assert page.find("textarea", {"name": "reason"}).get_text() == "Sentence recalculated"
    assert page.find("input", {"name": "version"})["value"] == "2"
    with app.app_context():
        assert db.session.get(CustodyEpisode, episode_id).expected_release_date == sooner
