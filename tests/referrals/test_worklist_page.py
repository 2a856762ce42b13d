"""A worklist page shows what its service computed: the other end of each handover, and the
21-day clock as the clock itself words it (DOMAIN.md: day 0 is the release date, day 21 the
last day a start meets the target, flags at days 7, 14 and 21, a breach after)."""

from datetime import timedelta

from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.organisations.models import LocalAuthority, Organisation
from caseflow.referrals import worklist_rows, worklists
from caseflow.referrals.models import ReferralEvent
from tests.factories import (
    AppointmentFactory,
    CustodyEpisodeFactory,
    PersonFactory,
    ReferralFactory,
    UserFactory,
    provider_serving,
)
from tests.helpers import page, signed_in_client

TODAY = local_today()


def table(app, user, name: str) -> tuple[list[str], list[list[str]]]:
    """(column headings, cell texts of each row) of the worklist called name."""
    db.session.commit()
    soup = page(signed_in_client(app, user), f"/worklists/{name}")
    headings = [th.get_text(" ", strip=True) for th in soup.select("table thead th")]
    rows = [
        [" ".join(td.get_text(" ", strip=True).split()) for td in tr.select("td")]
        for tr in soup.select("table tbody tr")
    ]
    return headings, rows


def computed_rows(user, name: str):
    _title, query, _kind = worklists.WORKLISTS[name]
    return worklist_rows.show_worklist(user, name, query).rows


def test_a_referrer_sees_where_each_referral_went(app):
    referral = ReferralFactory(status="sent")
    nurse = UserFactory(
        role="prison_healthcare",
        organisation=db.session.get(Organisation, referral.referring_organisation_id),
    )
    headings, rows = table(app, nurse, "awaiting-acceptance")
    assert headings[6] == "To"
    assert rows[0][6] == db.session.get(Organisation, referral.provider_id).name
    (row,) = computed_rows(nurse, "awaiting-acceptance")
    assert (row.handover_direction, row.other_organisation.id) == ("To", referral.provider_id)


def test_a_provider_sees_where_each_referral_came_from(app):
    referral = ReferralFactory(status="sent")
    keyworker = UserFactory(
        role="keyworker", organisation=db.session.get(Organisation, referral.provider_id)
    )
    headings, rows = table(app, keyworker, "incoming")
    assert headings[6] == "From"
    prison = db.session.get(Organisation, referral.referring_organisation_id)
    assert rows[0][6] == prison.name
    (row,) = computed_rows(keyworker, "incoming")
    assert (row.handover_direction, row.other_organisation.id) == ("From", prison.id)


def released_days_ago(prison, days: int, family_name: str):
    person = PersonFactory(recorded_by=prison, given_name="Given", family_name=family_name)
    return CustodyEpisodeFactory(
        person=person,
        prison=prison,
        expected_release_date=TODAY - timedelta(days=days),
        actual_release_date=TODAY - timedelta(days=days),
    )


def test_the_clock_column_words_days_left_flags_and_breaches(app):
    manager = UserFactory(role="manager")
    manager.organisation.areas = [db.session.get(LocalAuthority, "E08000025")]
    prison = UserFactory(role="prison_healthcare").organisation
    for days in (3, 7, 15, 21, 25):
        released_days_ago(prison, days, f"Day{days}")
    _headings, rows = table(app, manager, "at-risk")
    clock_cells = {row[0]: row[4] for row in rows}
    assert clock_cells == {
        "Given Day3": "18 days left",
        "Given Day7": "14 days left Day 7",
        "Given Day15": "6 days left Day 14",
        "Given Day21": "0 days left Day 21",
        "Given Day25": "Breached day 25",
    }


# DOMAIN.md, Who uses it: referrers work from release and handover lists, keyworkers from their
# provider's referrals and appointments, managers from the cases at risk in their area.
TABS = {
    "prison_healthcare": ["releasing", "awaiting-acceptance", "clock-running"],
    "probation": ["releasing", "awaiting-acceptance", "clock-running"],
    "keyworker": ["incoming", "accepted", "in-treatment", "appointments", "redirected"],
    "manager": ["at-risk"],
    "mental_health_practitioner": [],
    "outreach_worker": [],
    "auditor": [],
    "admin": [],
}


# Where each role lands after signing in: its first worklist, the release lists before any
# pathway's; the mental health and outreach teams on their pathway's list; the roles with no
# worklist on the start page.
HOME = {
    "prison_healthcare": "/worklists/releasing",
    "probation": "/worklists/releasing",
    "keyworker": "/worklists/incoming",
    "manager": "/worklists/at-risk",
    "mental_health_practitioner": "/dual-diagnosis/worklists/referrals",
    "outreach_worker": "/rough-sleeping/worklist",
    "auditor": None,
    "admin": None,
}


def test_each_role_lands_on_its_first_worklist_and_sees_its_tabs(app):
    for role, expected in TABS.items():
        user = UserFactory(role=role)
        assert [name for name, _title in worklists.worklist_tabs(user)] == expected
        db.session.commit()
        response = signed_in_client(app, user).get("/")
        if HOME[role]:
            assert response.headers["Location"] == HOME[role]
        else:
            assert response.status_code == 200


def handed_on(referral, kind: str, by, **fields) -> None:
    db.session.add(
        ReferralEvent(
            referral=referral,
            person_id=referral.person_id,
            kind=kind,
            actor_id=by.id,
            organisation_id=by.organisation_id,
            **fields,
        )
    )


def test_a_provider_sees_where_the_referrals_it_passed_on_are_now(app):
    # DOMAIN.md: a redirect sends the referral to another provider; a rejection ends it and
    # it is back with the referrer. A referral redirected back is with the team again.
    keyworker = UserFactory(role="keyworker")
    team = keyworker.organisation_id
    elsewhere = provider_serving()
    moved_on = ReferralFactory(status="sent", provider_id=elsewhere.id)
    handed_on(moved_on, "redirect", keyworker, from_provider_id=team, to_provider_id=elsewhere.id)
    came_back = ReferralFactory(status="sent", provider_id=team)
    handed_on(came_back, "redirect", keyworker, from_provider_id=team, to_provider_id=elsewhere.id)
    refused = ReferralFactory(status="rejected", provider_id=team)
    handed_on(refused, "reject", keyworker, reason_code="out_of_area")
    prison = db.session.get(Organisation, refused.referring_organisation_id)
    expected = {
        moved_on.reference: elsewhere.name,
        came_back.reference: "Your team (redirected back)",
        refused.reference: f"Rejected: back with {prison.name}",
    }
    _headings, rows = table(app, keyworker, "redirected")
    assert {row[0]: row[2] for row in rows} == expected
    computed = computed_rows(keyworker, "redirected")
    assert {row.event.referral.reference: row.now_with for row in computed} == expected


# Issue 9: worklists have the same columns in the same order, and the name goes to the person.
COLUMNS = ["Name", "Prison number", "Release date", "Status", "21-day clock", "Referral"]


def person_links(app, user, name: str) -> dict[str, str]:
    db.session.commit()
    soup = page(signed_in_client(app, user), f"/worklists/{name}")
    return {
        row.select("td")[0].get_text(strip=True): row.select("td")[0].find("a")["href"]
        for row in soup.select("table tbody tr")
    }


def test_every_list_of_people_has_the_same_columns_and_the_name_goes_to_the_person(app):
    referral = ReferralFactory(status="sent")
    AppointmentFactory(
        referral=ReferralFactory(status="accepted", provider_id=referral.provider_id)
    )
    prison = db.session.get(Organisation, referral.referring_organisation_id)
    nurse = UserFactory(role="prison_healthcare", organisation=prison)
    keyworker = UserFactory(
        role="keyworker", organisation=db.session.get(Organisation, referral.provider_id)
    )
    manager = UserFactory(role="manager")
    manager.organisation.areas = [db.session.get(LocalAuthority, "E08000025")]
    released_days_ago(prison, 5, "Released")
    lists = {
        nurse: ["awaiting-acceptance", "clock-running"],
        keyworker: ["incoming", "appointments"],
        manager: ["at-risk"],
    }
    for user, names in lists.items():
        for name in names:
            headings, rows = table(app, user, name)
            assert headings[: len(COLUMNS)] == COLUMNS, name
            assert len(headings) == len(COLUMNS) + 1, name  # and one about the list itself
            assert rows, name
            links = person_links(app, user, name)
            assert all(href.startswith("/people/") for href in links.values()), (name, links)
