"""The administrator's settings page (DOMAIN.md: window, target and code mappings are settings
kept as data with the date they took effect, changed only by an admin, audited, and shown beside
every figure they produced)."""

from datetime import timedelta

from bs4 import BeautifulSoup
from sqlalchemy import select

from caseflow.audit.models import AuditEvent
from caseflow.continuity import periods, rules
from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.people.codes import ReleaseType, TreatmentNeed
from tests.continuity.cohort import BIRMINGHAM, manager_of, release
from tests.helpers import page, post_form


def parts(day):
    return [str(day.day), str(day.month), str(day.year)]


def sent_form(effective_from, **changes):
    """Every field of the form, with the defaults' mappings unless changed."""
    data = {
        "effective_from": parts(effective_from),
        "window_days": "21",
        "target_percent": "75",
        "submit": "Save new settings",
    }
    for mapping in ("release_types", "treatment_needs", "exclusions"):
        for code, placement in getattr(rules.DEFAULTS, mapping).items():
            data[f"{mapping}__{code}"] = placement
    data.update(changes)
    return data


def settings_rows():
    db.session.expire_all()
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "continuity_settings")
    ).all()


def test_an_admin_sees_the_settings_in_effect_and_their_mappings(sign_in):
    admin, _ = sign_in("admin")
    shown = page(admin, "/continuity/settings")
    text = " ".join(shown.get_text().split())
    assert "In effect from 1 April 2015 In effect today" in text
    assert "21 days after release" in text and "75%" in text
    assert "Released to another secure setting: excluded" in text
    assert "No treatment need identified: not in the cohort" in text


def test_an_admin_adds_settings_from_a_date_and_the_figures_from_then_name_them(sign_in):
    admin, user = sign_in("admin")
    start = local_today() + timedelta(days=40)
    response = post_form(
        admin,
        "/continuity/settings/new",
        sent_form(
            start,
            window_days="28",
            target_percent="80",
            **{f"release_types__{ReleaseType.COURT}": "not_in_cohort"},
        ),
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/continuity/settings")

    following = periods.month(start.year, start.month)
    used = rules.settings_on(following.end)
    assert (used.effective_from, used.window_days, used.target_percent) == (start, 28, 80)
    assert used.release_types[ReleaseType.COURT] == "not_in_cohort"
    # A period ending before the date keeps the settings it had.
    assert rules.settings_on(local_today()).window_days == 21

    shown = page(admin, "/continuity/settings")
    text = " ".join(shown.get_text().split())
    assert f"Set by {user.display_name}" in text
    assert "28 days after release" in text

    [audited] = settings_rows()
    assert audited.action == "create" and audited.user_id == user.id
    assert audited.detail["window_days"] == 28 and audited.detail["target_percent"] == 80
    assert audited.detail["replaces"] == "2015-04-01"


def test_the_manager_page_names_the_new_settings_for_a_period_they_measure(sign_in, app):
    admin, _ = sign_in("admin")
    start = local_today() + timedelta(days=1)
    post_form(admin, "/continuity/settings/new", sent_form(start, window_days="28"))
    manager, _ = sign_in(user=manager_of(BIRMINGHAM))
    release(local_today())
    db.session.commit()
    month = periods.month(start.year, start.month)
    shown = page(manager, f"/continuity/breakdown?period={month.code}")
    assert "treatment start within 28 days of release" in shown.select_one("#settings").text


def test_a_bad_value_is_refused_beside_its_field_and_what_was_typed_is_kept(sign_in):
    admin, _ = sign_in("admin")
    start = local_today() + timedelta(days=10)
    response = post_form(
        admin,
        "/continuity/settings/new",
        sent_form(start, window_days="three weeks", target_percent="80"),
    )
    assert response.status_code == 200
    refused = BeautifulSoup(response.data, "html.parser")
    assert refused.title.get_text().startswith("Error: ")
    message = refused.select_one("#window_days-error").get_text(" ", strip=True)
    assert "Window must be a whole number of days" in message
    assert (
        "Window must be a whole number of days"
        in refused.select_one(".govuk-error-summary").get_text()
    )
    assert refused.select_one("#window_days")["value"] == "three weeks"
    assert refused.select_one("#target_percent")["value"] == "80"
    assert settings_rows() == []


def test_a_date_in_the_past_is_refused_beside_the_date(sign_in):
    admin, _ = sign_in("admin")
    response = post_form(
        admin, "/continuity/settings/new", sent_form(local_today() - timedelta(days=1))
    )
    assert response.status_code == 200
    assert b"must be today or in the future" in response.data
    assert b'id="effective_from-error"' in response.data
    assert settings_rows() == []


def test_a_mapping_left_unchosen_is_refused_beside_it(sign_in):
    admin, _ = sign_in("admin")
    field = f"treatment_needs__{TreatmentNeed.NO_NEED}"
    response = post_form(
        admin,
        "/continuity/settings/new",
        sent_form(local_today() + timedelta(days=5), **{field: ""}),
    )
    assert response.status_code == 200
    assert f'id="{field}-error"'.encode() in response.data
    assert settings_rows() == []


def test_only_administrators_see_or_change_the_settings(sign_in):
    for role in ("manager", "auditor", "keyworker"):
        client, _ = sign_in(role)
        page(client, "/continuity/settings", status=403)
        page(client, "/continuity/settings/new", status=403)
