"""The person's timeline and a referral's history say who did what, when in London, and what it
recorded (DOMAIN.md: "Each change records who, when and why"; dates are Europe/London; a
draft's edits name the fields changed, never their values, as the audit log does)."""

from datetime import UTC, datetime, timedelta

from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.people import custody
from caseflow.people.models import CustodyChange
from caseflow.referrals.models import ReferralEvent
from caseflow.referrals.services import handover as services
from caseflow.referrals.services.handover import HANDOVER_FIELDS
from tests.factories import ReferralFactory, UserFactory, person_in_custody_at
from tests.helpers import page, signed_in_client

# 00:30 on 1 June 2026 in London (BST) is 23:30 UTC on 31 May.
JUST_AFTER_MIDNIGHT_IN_LONDON = datetime(2026, 5, 31, 23, 30, tzinfo=UTC)


def timeline_items(soup) -> list[dict]:
    return [
        {
            "title": item.select_one(".moj-timeline__title").get_text(" ", strip=True),
            "by": item.select_one(".moj-timeline__byline").get_text(" ", strip=True),
            "when": item.select_one(".moj-timeline__date").get_text(" ", strip=True),
            "text": " ".join(
                item.select_one(".moj-timeline__description").get_text(" ", strip=True).split()
            )
            if item.select_one(".moj-timeline__description")
            else "",
        }
        for item in soup.select(".moj-timeline__item")
    ]


def changes_table(soup) -> list[dict]:
    table = next(
        table
        for table in soup.select("table")
        if "Changes to this episode" in table.caption.get_text()
    )
    headers = [th.get_text(strip=True) for th in table.select("thead th")]
    return [
        dict(zip(headers, (td.get_text(" ", strip=True) for td in row.select("td")), strict=True))
        for row in table.select("tbody tr")
    ]


def moved_expected_release(app):
    prison_user = UserFactory(role="prison_healthcare", display_name="Priya Officer")
    person = person_in_custody_at(prison_user.organisation)
    episode = person.episodes[0]
    custody.move_expected_release(
        prison_user,
        person.id,
        episode.id,
        version=episode.version,
        expected_release_date=local_today() + timedelta(days=40),
        reason="Parole board decision",
    )
    db.session.flush()
    return prison_user, person, episode


def test_a_custody_change_names_who_made_it(app):
    prison_user, person, _episode = moved_expected_release(app)
    soup = page(signed_in_client(app, prison_user), f"/people/{person.id}")
    who = f"Priya Officer, {prison_user.organisation.name}"

    moved = [
        item for item in timeline_items(soup) if item["title"] == "Expected release date moved"
    ]
    assert [item["by"] for item in moved] == [f"by {who}"]
    assert "Custody record" not in soup.get_text()

    [change] = changes_table(soup)
    assert change["Who"] == who
    assert change["Reason"] == "Parole board decision"


def test_change_dates_and_times_are_london_ones(app):
    """A change at 00:30 BST on 1 June was made on 1 June, not on 31 May (its UTC date)."""
    prison_user, person, episode = moved_expected_release(app)
    change = db.session.query(CustodyChange).filter_by(episode_id=episode.id).one()
    change.created_at = JUST_AFTER_MIDNIGHT_IN_LONDON
    db.session.flush()
    soup = page(signed_in_client(app, prison_user), f"/people/{person.id}")

    [row] = changes_table(soup)
    assert row["When"] == "1 June 2026"
    [moved] = [i for i in timeline_items(soup) if i["title"] == "Expected release date moved"]
    assert moved["when"] == "1 June 2026, 00:30"


def test_a_changed_date_reads_as_a_date(app):
    prison_user, person, _episode = moved_expected_release(app)
    new = local_today() + timedelta(days=40)
    soup = page(signed_in_client(app, prison_user), f"/people/{person.id}")
    [row] = changes_table(soup)
    assert f"to {new.day} {new:%B %Y}" in row["Change"]
    assert new.isoformat() not in row["Change"]


def draft_edited(app):
    referral = ReferralFactory(status="draft", risks=None, contact_after_release=None)
    referrer = UserFactory(
        role="prison_healthcare",
        organisation=referral.referring_organisation,
        display_name="Dee Referrer",
    )
    db.session.flush()
    fields = {name: getattr(referral, name) for name in HANDOVER_FIELDS}
    fields["risks"] = "Carries a blade when anxious"
    fields["contact_after_release"] = "07700 900123, sister's flat"
    services.update_draft(referrer, referral.id, version=referral.version, **fields)
    db.session.flush()
    return referrer, referral


def test_a_draft_edit_is_in_the_history_naming_the_fields_not_their_values(app):
    referrer, referral = draft_edited(app)
    [edit] = db.session.query(ReferralEvent).filter_by(referral_id=referral.id, kind="edited")
    assert edit.actor_id == referrer.id
    assert "blade" not in (edit.changed_fields or "") and edit.reason is None

    soup = page(signed_in_client(app, referrer), f"/referrals/{referral.id}")
    history = soup.find("caption", string="History of this referral").find_parent("table")
    rows = [
        [" ".join(td.get_text(" ", strip=True).split()) for td in tr.select("td")]
        for tr in history.select("tbody tr")
    ]
    edits = [row for row in rows if row[1].startswith("Draft edited")]
    assert [row[1:3] for row in edits] == [
        [
            "Draft edited: Contact details after release, Risks",
            f"Dee Referrer, {referrer.organisation.name}",
        ]
    ]
    assert "blade" not in history.get_text() and "07700" not in history.get_text()


def test_a_draft_edit_on_the_timeline_names_the_fields_not_their_values(app):
    referrer, referral = draft_edited(app)
    soup = page(signed_in_client(app, referrer), f"/people/{referral.person_id}")
    [edit] = [i for i in timeline_items(soup) if i["title"] == "Referral draft edited"]
    assert edit["text"] == "Changed: Contact details after release, Risks"
    assert edit["by"] == f"by Dee Referrer, {referrer.organisation.name}"
    timeline = soup.select_one(".moj-timeline").get_text()
    assert "blade" not in timeline and "07700" not in timeline


def test_an_unchanged_save_adds_no_history(app):
    referral = ReferralFactory(status="draft")
    referrer = UserFactory(role="prison_healthcare", organisation=referral.referring_organisation)
    db.session.flush()
    fields = {name: getattr(referral, name) for name in HANDOVER_FIELDS}
    services.update_draft(referrer, referral.id, version=referral.version, **fields)
    db.session.flush()
    assert (
        not db.session.query(ReferralEvent).filter_by(referral_id=referral.id, kind="edited").all()
    )


def test_the_timeline_says_when_treatment_started_and_why_a_referral_closed(app):
    referral = ReferralFactory(status="accepted")
    keyworker = UserFactory(role="keyworker", organisation=referral.provider)
    start = referral.episode.actual_release_date + timedelta(days=1)
    services.change_status(keyworker, referral.id, "engage", treatment_start_date=start)
    services.change_status(
        keyworker, referral.id, "close", reason_code="lost_contact", reason="No answer in a month"
    )
    db.session.flush()
    soup = page(signed_in_client(app, keyworker), f"/people/{referral.person_id}")
    items = {item["title"]: item["text"] for item in timeline_items(soup)}
    assert items["Referral treatment started"] == (
        f"Treatment started on {start.day} {start:%B %Y}"
    )
    assert items["Referral closed"] == "Lost contact: No answer in a month"


def test_a_reception_is_by_the_prison_not_a_record(app):
    prison_user = UserFactory(role="prison_healthcare")
    person = person_in_custody_at(prison_user.organisation)
    soup = page(signed_in_client(app, prison_user), f"/people/{person.id}")
    [received] = [i for i in timeline_items(soup) if i["title"].startswith("Received into")]
    assert received["by"] == f"by {prison_user.organisation.name}"
    # A reception is a date: no time of day is made up for it.
    assert received["when"] == "10 January 2025"
