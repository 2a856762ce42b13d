"""The records the measure's rules need (DOMAIN.md, Person and Custody episode): a date of
death with its source, a removal from the country after release, a corrected treatment need;
each recorded by whom the rules say, audited with its date or code and nothing personal, and
followed by the measure."""

from datetime import date, timedelta

from sqlalchemy import select

from caseflow.audit.models import AuditEvent
from caseflow.continuity import periods, services
from caseflow.continuity.services import Scope
from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.people.models import CustodyChange, CustodyEpisode, Person
from tests.continuity.cohort import BIRMINGHAM, manager_of, referral, release
from tests.factories import provider_serving
from tests.helpers import page


def last_update(entity_id) -> AuditEvent:
    return db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity_id == str(entity_id), AuditEvent.action == "update")
        .order_by(AuditEvent.id.desc())
    ).first()


def send(client, url, *, status=None, **data):
    """Open the form, then send it with its CSRF token and version and what the test types."""
    form = page(client, url)
    fields = {
        "csrf_token": form.select_one("input[name=csrf_token]")["value"],
        "version": form.select_one("input[name=version]")["value"],
        **data,
    }
    if status is None:
        return client.post(url, data=fields)
    return page(client, url, method="post", status=status, data=fields)


def day_fields(name: str, day: date) -> dict:
    return {name: [str(day.day), str(day.month), str(day.year)]}


def keyworker_with_a_released_person(sign_in, released_on=None):
    provider = provider_serving(BIRMINGHAM)
    client, _ = sign_in("keyworker", organisation=provider)
    episode = release(released_on or local_today() - timedelta(days=5))
    referral(episode, provider=provider)
    db.session.commit()
    return client, episode


def test_a_keyworker_in_scope_records_a_death_and_its_source(sign_in):
    client, episode = keyworker_with_a_released_person(sign_in)
    person_id = episode.person_id
    died = local_today() - timedelta(days=1)
    response = send(
        client, f"/people/{person_id}/death", **day_fields("date_of_death", died), source="coroner"
    )
    assert response.status_code == 302
    person = db.session.get(Person, person_id)
    db.session.refresh(person)
    assert (person.date_of_death, person.date_of_death_source) == (died, "coroner")
    row = last_update(person_id)
    # the date only: the source, a code on the person, is not a fact the log carries
    assert row.detail["facts"] == {"date_of_death": died.isoformat()}
    shown = page(client, f"/people/{person_id}")
    assert "Coroner" in shown.get_text()


def test_a_death_in_the_future_is_refused_beside_its_field(sign_in):
    client, episode = keyworker_with_a_released_person(sign_in)
    tomorrow = local_today() + timedelta(days=1)
    answer = send(
        client,
        f"/people/{episode.person_id}/death",
        status=200,
        **day_fields("date_of_death", tomorrow),
        source="family",
    )
    assert (
        "Date of death must be today or in the past"
        in answer.select_one(".govuk-error-message").get_text()
    )
    assert db.session.get(Person, episode.person_id).date_of_death is None


def test_someone_without_a_relationship_cannot_record_a_death(sign_in):
    _, episode = keyworker_with_a_released_person(sign_in)
    stranger, _ = sign_in("keyworker", organisation=provider_serving(BIRMINGHAM))
    page(stranger, f"/people/{episode.person_id}/death", status=404)
    auditor, _ = sign_in("auditor")
    page(auditor, f"/people/{episode.person_id}/death", status=403)


def test_the_person_page_offers_the_records_only_to_those_who_may_make_them(sign_in):
    client, episode = keyworker_with_a_released_person(sign_in)
    shown = page(client, f"/people/{episode.person_id}")
    links = {a["href"] for a in shown.select("a")}
    assert f"/people/{episode.person_id}/death" in links
    assert f"/people/{episode.person_id}/removal" in links
    # The keyworker does not hold the custody episode, so corrects no treatment need on it.
    assert not any(href.endswith("/treatment-need") for href in links)


def test_a_removal_is_recorded_on_the_release_and_excludes_it(sign_in):
    released_on = local_today() - timedelta(days=10)
    client, episode = keyworker_with_a_released_person(sign_in, released_on)
    url = f"/people/{episode.person_id}/removal"
    before = released_on - timedelta(days=1)
    refused = send(client, url, status=200, **day_fields("removed_on", before))
    assert "on or after the release date" in refused.select_one(".govuk-error-message").get_text()
    removed = released_on + timedelta(days=3)
    response = send(client, url, **day_fields("removed_on", removed))
    assert response.status_code == 302
    assert last_update(episode.id).detail["facts"] == {
        "removed_from_country_on": removed.isoformat()
    }
    month = periods.month(released_on.year, released_on.month)
    outcomes = services.entry_outcomes(Scope.national(), month)
    assert outcomes[episode.id] == ("excluded", "removed")


def test_a_treatment_need_correction_is_kept_audited_and_followed(sign_in):
    nurse_client, nurse = sign_in("prison_healthcare")
    released_on = date(2026, 3, 3)
    episode = release(released_on, prison=nurse.organisation, need="in_treatment")
    db.session.commit()
    march = periods.parse("2026-03")
    assert services.headline(Scope.national(), march, today=date(2026, 6, 1)).figures.cohort == 1
    url = f"/people/{episode.person_id}/custody/{episode.id}/treatment-need"
    response = send(
        nurse_client,
        url,
        treatment_need="no_need",
        reason="Assessed again: no community treatment need",
    )
    assert response.status_code == 302
    change = db.session.scalars(
        select(CustodyChange).where(CustodyChange.episode_id == episode.id)
    ).one()
    assert (change.kind, change.reason) == (
        "treatment_need_corrected",
        "Assessed again: no community treatment need",
    )
    assert last_update(episode.id).detail["facts"] == {"treatment_need": "no_need"}
    db.session.expire_all()
    assert db.session.get(CustodyEpisode, episode.id).treatment_need == "no_need"
    assert services.headline(Scope.national(), march, today=date(2026, 6, 1)).figures.cohort == 0


def test_a_manager_judged_on_the_rate_may_not_record_a_death_or_a_removal(sign_in):
    manager = manager_of(BIRMINGHAM)
    client, _ = sign_in(user=manager)
    episode = release(local_today() - timedelta(days=2))
    db.session.commit()
    assert client.get(f"/people/{episode.person_id}/death").status_code == 403
    assert client.get(f"/people/{episode.person_id}/removal").status_code == 403


def test_a_death_sent_without_the_records_version_is_stale(sign_in):
    client, episode = keyworker_with_a_released_person(sign_in)
    url = f"/people/{episode.person_id}/death"
    token = page(client, url).select_one("input[name=csrf_token]")["value"]
    died = local_today() - timedelta(days=1)
    response = client.post(
        url, data={"csrf_token": token, **day_fields("date_of_death", died), "source": "gp"}
    )
    assert response.status_code == 409
    assert db.session.get(Person, episode.person_id).date_of_death is None
