"""No English destination is needed when the release is outside England, to another secure
setting or by deportation (DOMAIN.md, Custody episode); any other release needs one, because
the measure counts it in the area the person goes to."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from caseflow.continuity import periods, services
from caseflow.continuity.services import Scope
from caseflow.dates import local_today
from caseflow.domain import InvalidChange
from caseflow.extensions import db
from caseflow.people import custody
from caseflow.people.models import CustodyEpisode
from tests.factories import PersonFactory, UserFactory
from tests.helpers import page, post_form


def episode_without_destination(nurse):
    person = PersonFactory(recorded_by=nurse.organisation)
    return custody.add_custody_episode(
        nurse,
        person.id,
        reception_date=date(2025, 6, 1),
        expected_release_date=None,
        expected_release_unknown_reason="remand",
        destination_local_authority_code="",
        accommodation_on_release="not_known",
        treatment_need="in_treatment",
        substance_group="",
        opioid_substitution="none",
        last_dose_date=None,
        naloxone_issued=False,
        bridging_prescription=False,
    )


def release(nurse, episode, release_type, on=date(2026, 3, 2)):
    return custody.record_release(
        nurse,
        episode.person_id,
        episode.id,
        version=episode.version,
        actual_release_date=on,
        release_type=release_type,
        unplanned_release=False,
        reason="Released",
    )


@pytest.mark.parametrize("release_type", ["outside_england", "other_secure_setting", "deported"])
def test_a_release_leaving_community_care_in_england_needs_no_destination(app, release_type):
    nurse = UserFactory(role="prison_healthcare")
    episode = episode_without_destination(nurse)
    assert episode.destination_local_authority_code is None
    release(nurse, episode, release_type)
    measure = services.headline(Scope.national(), periods.parse("2026-03"), today=date(2026, 6, 1))
    assert measure.exclusions == {release_type: 1}


def test_a_release_into_the_community_needs_a_destination(app):
    nurse = UserFactory(role="prison_healthcare")
    episode = episode_without_destination(nurse)
    with pytest.raises(InvalidChange, match="Record the local authority") as refused:
        release(nurse, episode, "licence")
    assert refused.value.field == "release_type"


def test_the_episode_form_takes_no_destination(sign_in):
    client, nurse = sign_in("prison_healthcare")
    person = PersonFactory(recorded_by=nurse.organisation)
    db.session.commit()
    url = f"/people/{person.id}/custody/new"
    shown = page(client, url)
    assert "released outside England" in shown.get_text()
    received = local_today() - timedelta(days=20)
    response = post_form(
        client,
        url,
        {
            "reception_date": [str(received.day), str(received.month), str(received.year)],
            "expected_release_unknown_reason": "remand",
            "destination_local_authority": "",
            "accommodation_on_release": "not_known",
            "treatment_need": "assessed_need",
            "opioid_substitution": "none",
            "naloxone_issued": "no",
            "bridging_prescription": "no",
        },
    )
    assert response.status_code == 302, response.data[:3000]
    episode = db.session.scalar(select(CustodyEpisode).where(CustodyEpisode.person_id == person.id))
    assert episode.destination_local_authority_code is None
