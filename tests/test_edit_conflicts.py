"""Two people editing one record: the later save is told, sees what is saved now beside what
they typed, and saving again keeps both people's changes (issue 9, "Work is never lost")."""

from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.people.models import CustodyEpisode, Person
from caseflow.referrals.codes import Status
from caseflow.referrals.models import Referral
from caseflow.versioned_forms import fingerprint, merge
from tests.factories import (
    CustodyEpisodeFactory,
    PersonFactory,
    ReferralFactory,
    person_in_custody_at,
)
from tests.helpers import page

# The merge rule --------------------------------------------------------------------------------


@pytest.fixture
def prints(app):
    def _prints(values):
        return {name: fingerprint(name, value) for name, value in values.items()}

    with app.test_request_context():
        yield _prints


def test_a_field_this_person_left_alone_takes_what_is_saved_now(prints):
    loaded = {"risks": "", "contact": ""}
    merged, differences = merge(
        prints(loaded),
        typed={"risks": "Overdose history", "contact": ""},
        saved={"risks": "", "contact": "07700 900456"},
    )
    assert merged == {"risks": "Overdose history", "contact": "07700 900456"}
    by_name = {d.name: d for d in differences}
    assert by_name["contact"].kept == "saved"
    assert by_name["contact"].saved == "07700 900456"
    assert by_name["risks"].kept == "typed"
    assert not by_name["risks"].both_changed


def test_a_field_both_people_changed_keeps_what_this_person_typed(prints):
    merged, differences = merge(
        prints({"risks": "Old"}), typed={"risks": "Mine"}, saved={"risks": "Theirs"}
    )
    assert merged == {"risks": "Mine"}
    assert differences[0].kept == "typed"
    assert differences[0].both_changed


def test_fields_that_agree_are_not_listed_and_unread_fields_keep_what_was_typed(prints):
    merged, differences = merge(
        prints({"dose": "60ml"}),
        typed={"dose": "60ml", "reason": "Moved to a later court date"},
        saved={"dose": "60ml"},
    )
    assert merged == {"dose": "60ml", "reason": "Moved to a later court date"}
    assert differences == []


def test_how_a_value_reached_the_form_does_not_count_as_a_change(prints):
    loaded = {"risks": None, "needs": ["housing", "mental_health"], "day": date(2026, 5, 1)}
    typed = {"risks": "", "needs": ["mental_health", "housing"], "day": date(2026, 5, 1)}
    saved = {"risks": "Theirs", "needs": [], "day": date(2026, 6, 1)}
    merged, _ = merge(prints(loaded), typed, saved)
    assert merged == saved


def test_without_what_the_form_was_opened_with_nothing_typed_is_dropped():
    merged, differences = merge(None, typed={"risks": "Mine"}, saved={"risks": "Theirs"})
    assert merged == {"risks": "Mine"}
    assert differences[0].kept == "typed"


# Through the pages ------------------------------------------------------------------------------


def form_as_sent(soup: BeautifulSoup, button: str | None = None) -> MultiDict:
    """The fields of the page's main form as a browser sends them, pressing ``button``."""
    form = soup.select_one("main form[method=post]")
    data = MultiDict()
    for element in form.select("input, select, textarea"):
        name = element.get("name")
        if not name:
            continue
        if element.name == "textarea":
            data.add(name, element.get_text())
        elif element.name == "select":
            chosen = element.find("option", selected=True) or element.find("option")
            data.add(name, chosen.get("value", chosen.get_text()) if chosen else "")
        elif element.get("type") in ("radio", "checkbox"):
            if element.has_attr("checked"):
                data.add(name, element.get("value", "y"))
        elif element.get("type") in ("submit", "button"):
            continue
        else:
            data.add(name, element.get("value", ""))
    if button:
        data.add(button, "pressed")
    return data


def edited(data: MultiDict, **changes) -> MultiDict:
    data = data.copy()
    for name, value in changes.items():
        data.setlist(name, [value])
    return data


def draft_of(user) -> Referral:
    referral = ReferralFactory(
        status=Status.DRAFT,
        episode__prison=user.organisation,
        referring_organisation_id=user.organisation_id,
        risks=None,
        contact_after_release=None,
    )
    db.session.commit()
    return referral


def test_two_tabs_editing_one_draft_keep_both_changes(sign_in):
    client, user = sign_in("prison_healthcare")
    referral = draft_of(user)
    url = f"/referrals/{referral.id}/edit"
    tab_1 = form_as_sent(page(client, url), "save_draft")
    tab_2 = form_as_sent(page(client, url), "save_draft")

    saved = client.post(url, data=edited(tab_1, contact_after_release="Hostel, 0121 496 0000"))
    assert saved.status_code == 302

    response = client.post(url, data=edited(tab_2, risks="Overdose in 2024"))
    assert response.status_code == 409
    soup = BeautifulSoup(response.data, "html.parser")
    assert soup.title.get_text().startswith("Error: ")
    table = soup.find("table", id="edit-conflict")
    rows = {
        row.th.get_text(strip=True): [td.get_text(" ", strip=True) for td in row.find_all("td")]
        for row in table.tbody.find_all("tr")
    }
    headers = [th.get_text(strip=True) for th in table.thead.find_all("th")]
    assert headers == ["Field", "Saved now", "You typed"]
    contact_saved, contact_typed = rows["Contact details after release"]
    assert contact_saved.startswith("Hostel, 0121 496 0000")
    assert contact_typed.startswith("Not given")
    risks_saved, risks_typed = rows["Risks"]
    assert risks_saved.startswith("Not given")
    assert risks_typed.startswith("Overdose in 2024")
    # The form holds both changes and the version saved since.
    assert soup.find("textarea", {"name": "contact_after_release"}).get_text() == (
        "Hostel, 0121 496 0000"
    )
    assert soup.find("textarea", {"name": "risks"}).get_text() == "Overdose in 2024"
    db.session.expire_all()
    assert soup.find("input", {"name": "version"})["value"] == str(
        db.session.get(Referral, referral.id).version
    )

    again = client.post(url, data=form_as_sent(soup, "save_draft"))
    assert again.status_code == 302
    db.session.expire_all()
    kept = db.session.get(Referral, referral.id)
    assert kept.contact_after_release == "Hostel, 0121 496 0000"
    assert kept.risks == "Overdose in 2024"


def test_a_field_both_tabs_changed_shows_both_and_keeps_what_this_person_typed(sign_in):
    client, user = sign_in("prison_healthcare")
    referral = draft_of(user)
    url = f"/referrals/{referral.id}/edit"
    tab_1 = form_as_sent(page(client, url), "save_draft")
    tab_2 = form_as_sent(page(client, url), "save_draft")
    client.post(url, data=edited(tab_1, risks="Theirs"))

    response = client.post(url, data=edited(tab_2, risks="Mine"))
    assert response.status_code == 409
    soup = BeautifulSoup(response.data, "html.parser")
    row = soup.find("table", id="edit-conflict").find("th", string="Risks").parent
    assert "Theirs" in row.get_text()
    assert "You both changed this" in row.get_text()
    assert soup.find("textarea", {"name": "risks"}).get_text() == "Mine"


def test_two_tabs_changing_one_custody_episode_see_the_saved_date_beside_theirs(sign_in):
    client, user = sign_in("prison_healthcare")
    person = PersonFactory(recorded_by=user.organisation)
    episode = CustodyEpisodeFactory(
        person=person,
        prison=user.organisation,
        expected_release_date=local_today() + timedelta(days=30),
    )
    db.session.commit()
    url = f"/people/{person.id}/custody/{episode.id}/expected-release"
    tab_1 = form_as_sent(page(client, url))
    tab_2 = form_as_sent(page(client, url))
    theirs = local_today() + timedelta(days=40)
    mine = local_today() + timedelta(days=50)

    def moved_to(data, day, reason):
        data = edited(data, reason=reason)
        data.setlist("expected_release_date", [str(day.day), str(day.month), str(day.year)])
        return data

    assert client.post(url, data=moved_to(tab_1, theirs, "Court date moved")).status_code == 302
    response = client.post(url, data=moved_to(tab_2, mine, "Parole hearing"))
    assert response.status_code == 409
    soup = BeautifulSoup(response.data, "html.parser")
    table = soup.find("table", id="edit-conflict")
    assert table is not None
    text = table.get_text(" ", strip=True)
    assert f"{theirs.day} " in text and f"{mine.day} " in text
    # What this person typed is kept, ready to save against the version saved since.
    again = client.post(url, data=form_as_sent(soup))
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(CustodyEpisode, episode.id).expected_release_date == mine


def test_two_tabs_changing_one_persons_details_keep_both_changes(sign_in):
    client, user = sign_in("prison_healthcare")
    person = person_in_custody_at(user.organisation)
    person.phone = None
    person.address = None
    db.session.commit()
    url = f"/people/{person.id}/details"
    tab_1 = form_as_sent(page(client, url))
    tab_2 = form_as_sent(page(client, url))

    assert client.post(url, data=edited(tab_1, phone="07700 900123")).status_code == 302
    response = client.post(url, data=edited(tab_2, address="Flat 2, 1 New Street"))
    assert response.status_code == 409
    soup = BeautifulSoup(response.data, "html.parser")
    rows = soup.find("table", id="edit-conflict").tbody.find_all("tr")
    assert {row.th.get_text(strip=True) for row in rows} >= {"Phone number (optional)"}
    assert client.post(url, data=form_as_sent(soup)).status_code == 302
    db.session.expire_all()
    kept = db.session.get(Person, person.id)
    assert kept.phone == "07700 900123"
    assert kept.address == "Flat 2, 1 New Street"


def test_two_tabs_changing_one_named_contact_keep_both_changes(sign_in):
    from caseflow.people import contacts
    from caseflow.people.codes import ContactKind
    from caseflow.people.models import NamedContact

    client, user = sign_in("prison_healthcare")
    person = person_in_custody_at(user.organisation)
    kind = ContactKind.PRISON_OFFENDER_MANAGER
    contacts.save_contact(
        user, person.id, kind, version=None, name="Sam Okafor", team=None, phone="0121 496 0001"
    )
    db.session.commit()
    url = f"/people/{person.id}/contacts/prison-offender-manager"
    tab_1 = form_as_sent(page(client, url))
    tab_2 = form_as_sent(page(client, url))

    assert client.post(url, data=edited(tab_1, team="Offender management unit")).status_code == 302
    response = client.post(url, data=edited(tab_2, phone="0121 496 0002"))
    assert response.status_code == 409
    soup = BeautifulSoup(response.data, "html.parser")
    assert "Offender management unit" in soup.find("table", id="edit-conflict").get_text()
    assert client.post(url, data=form_as_sent(soup)).status_code == 302
    db.session.expire_all()
    kept = db.session.scalars(select(NamedContact).where(NamedContact.person_id == person.id)).one()
    assert (kept.team, kept.phone) == ("Offender management unit", "0121 496 0002")
