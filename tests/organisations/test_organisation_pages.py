"""Administrators add and change organisations through the pages; each change is audited."""

import uuid

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from caseflow.extensions import db
from caseflow.organisations.models import Organisation
from tests.factories import OrganisationFactory, provider_serving
from tests.helpers import audit_rows, error_messages, page, post_form

BIRMINGHAM, COVENTRY, PLYMOUTH = "E08000025", "E08000026", "E06000026"


def organisation_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Organisation))


def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.data, "html.parser")


def checked_areas(soup: BeautifulSoup) -> set[str]:
    return {box["value"] for box in soup.select("input[name=areas][checked]")}


def test_admin_adds_a_provider_covering_two_areas(sign_in):
    client, admin = sign_in("admin")
    form = page(client, "/admin/organisations/new")
    # 153 local authorities, a checkbox each, folded into one details per region.
    assert len(form.select("input[name=areas]")) == 153
    assert len(form.select("details.govuk-details")) == 9
    response = post_form(
        client,
        "/admin/organisations/new",
        {
            "name": "  Solihull   Recovery Service ",
            "kind": "community_treatment_provider",
            "areas": [BIRMINGHAM, COVENTRY],
        },
    )
    assert response.status_code == 302
    organisation = db.session.scalar(
        select(Organisation).where(Organisation.name == "Solihull Recovery Service")
    )
    assert response.headers["Location"] == f"/admin/organisations/{organisation.id}"
    assert organisation.kind == "community_treatment_provider"
    assert organisation.area_codes == {BIRMINGHAM, COVENTRY}

    rows = audit_rows(response)
    assert [(r.action, r.entity_type, r.entity_id, r.outcome) for r in rows] == [
        ("create", "organisation", str(organisation.id), "success")
    ]
    assert rows[0].user_id == admin.id and rows[0].role == "admin"
    assert rows[0].detail == {"fields": ["areas", "kind", "name"]}

    shown = page(client, response.headers["Location"])
    assert "Organisation added: Solihull Recovery Service" in shown.get_text()
    summary = shown.select_one(".govuk-summary-list").get_text(" ", strip=True)
    assert "Birmingham, Coventry" in summary
    assert shown.select_one(f"a[href='/admin/organisations/{organisation.id}/edit#name']")


def test_a_prison_is_added_without_areas(sign_in):
    client, _ = sign_in("admin")
    response = post_form(
        client, "/admin/organisations/new", {"name": "HMP Nowhere", "kind": "prison"}
    )
    assert response.status_code == 302
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == "HMP Nowhere"))
    assert organisation.areas == []
    assert [r.detail for r in audit_rows(response)] == [{"fields": ["kind", "name"]}]


def test_a_duplicate_name_is_refused_beside_the_field_and_nothing_is_lost(sign_in):
    client, _ = sign_in("admin")
    OrganisationFactory(name="Plymouth Recovery Service", kind="community_treatment_provider")
    db.session.commit()
    before = organisation_count()
    response = post_form(
        client,
        "/admin/organisations/new",
        {
            "name": "plymouth recovery SERVICE",
            "kind": "community_treatment_provider",
            "areas": [PLYMOUTH],
        },
    )
    assert response.status_code == 200
    soup = soup_of(response)
    assert error_messages(soup) == ["An organisation with that name already exists"]
    assert soup.select_one("#name-error")  # beside the name field
    assert soup.select_one(".govuk-error-summary a[href='#name']")
    assert soup.title.get_text().startswith("Error:")
    assert soup.select_one("#name")["value"] == "plymouth recovery SERVICE"
    assert soup.select_one("input[name=kind][checked]")["value"] == "community_treatment_provider"
    assert checked_areas(soup) == {PLYMOUTH}
    assert organisation_count() == before
    assert audit_rows(response) == []


def test_community_services_need_areas_and_prisons_have_none(sign_in):
    client, _ = sign_in("admin")
    before = organisation_count()
    response = post_form(
        client, "/admin/organisations/new", {"name": "Partnership X", "kind": "partnership"}
    )
    assert response.status_code == 200
    soup = soup_of(response)
    assert error_messages(soup) == ["Select the local authorities the organisation covers"]
    assert soup.select_one(".govuk-error-summary a[href='#areas']")
    assert soup.select_one("#areas")

    response = post_form(
        client,
        "/admin/organisations/new",
        {"name": "HMP Somewhere", "kind": "prison", "areas": [BIRMINGHAM]},
    )
    assert response.status_code == 200
    assert (
        "Only community services and partnerships cover local authorities"
        in (error_messages(soup_of(response))[0])
    )
    assert checked_areas(soup_of(response)) == {BIRMINGHAM}
    assert organisation_count() == before


def test_forged_and_oversized_input_gets_messages_not_errors(sign_in):
    client, _ = sign_in("admin")
    before = organisation_count()
    response = post_form(
        client,
        "/admin/organisations/new",
        {"name": "x" * 5000, "kind": "spaceship", "areas": ["E99999999", "y" * 5000]},
    )
    assert response.status_code == 200
    assert error_messages(soup_of(response)) == [
        "Name must be 160 characters or fewer",
        "Select the kind of organisation",
        "Select local authorities from the list",
    ]
    assert "spaceship" not in response.get_data(as_text=True)

    response = post_form(
        client,
        "/admin/organisations/new",
        {"name": "\x00\x07", "kind": "", "areas": [BIRMINGHAM, BIRMINGHAM]},
    )
    assert response.status_code == 200
    assert error_messages(soup_of(response))[:2] == [
        "Enter the name of the organisation",
        "Select the kind of organisation",
    ]
    assert organisation_count() == before


def test_admin_changes_name_and_areas(sign_in):
    client, _ = sign_in("admin")
    provider = provider_serving(BIRMINGHAM, name="Old Name Recovery")
    db.session.commit()
    url = f"/admin/organisations/{provider.id}/edit"
    form = page(client, url)
    assert form.select_one("#name")["value"] == "Old Name Recovery"
    assert checked_areas(form) == {BIRMINGHAM}
    # The region with a chosen area is open; the others are folded.
    assert [d.has_attr("open") for d in form.select("details")].count(True) == 1

    response = post_form(
        client, url, {"name": "New Name Recovery", "areas": [BIRMINGHAM, PLYMOUTH]}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/organisations/{provider.id}"
    rows = audit_rows(response)
    assert [(r.action, r.entity_type, r.entity_id) for r in rows] == [
        ("update", "organisation", str(provider.id))
    ]
    assert rows[0].detail == {"fields": ["areas", "name"]}
    assert "Recovery" not in str(rows[0].detail)
    db.session.refresh(provider)
    assert provider.name == "New Name Recovery"
    assert provider.area_codes == {BIRMINGHAM, PLYMOUTH}

    response = post_form(client, url, {"name": "New Name Recovery", "areas": [PLYMOUTH]})
    assert [r.detail for r in audit_rows(response)] == [{"fields": ["areas"]}]


def test_saving_without_a_change_writes_no_audit_row(sign_in):
    client, _ = sign_in("admin")
    provider = provider_serving(BIRMINGHAM)
    db.session.commit()
    url = f"/admin/organisations/{provider.id}/edit"
    response = post_form(client, url, {"name": provider.name, "areas": [BIRMINGHAM]})
    assert response.status_code == 302
    assert audit_rows(response) == []
    assert "No changes made" in page(client, response.headers["Location"]).get_text()


def test_renaming_to_a_taken_name_or_removing_every_area_is_refused(sign_in):
    client, _ = sign_in("admin")
    OrganisationFactory(name="Taken Name")
    provider = provider_serving(BIRMINGHAM, name="Mine")
    db.session.commit()
    url = f"/admin/organisations/{provider.id}/edit"
    response = post_form(client, url, {"name": "TAKEN NAME", "areas": [COVENTRY]})
    assert response.status_code == 200
    soup = soup_of(response)
    assert error_messages(soup) == ["An organisation with that name already exists"]
    assert checked_areas(soup) == {COVENTRY}  # what was typed is still there

    response = post_form(client, url, {"name": "Mine"})
    assert error_messages(soup_of(response)) == [
        "Select the local authorities the organisation covers"
    ]
    db.session.refresh(provider)
    assert (provider.name, provider.area_codes) == ("Mine", {BIRMINGHAM})


def test_a_prison_is_renamed_without_an_areas_section(sign_in):
    client, _ = sign_in("admin")
    prison = OrganisationFactory(kind="prison", name="HMP Old")
    db.session.commit()
    url = f"/admin/organisations/{prison.id}/edit"
    assert page(client, url).select("input[name=areas]") == []
    response = post_form(client, url, {"name": "HMP New", "areas": [BIRMINGHAM, "E99999999"]})
    assert response.status_code == 302
    db.session.refresh(prison)
    assert (prison.name, prison.areas) == ("HMP New", [])
    assert [r.detail for r in audit_rows(response)] == [{"fields": ["name"]}]


def test_unknown_organisations_are_404(sign_in):
    client, _ = sign_in("admin")
    missing = uuid.uuid4()
    assert client.get(f"/admin/organisations/{missing}").status_code == 404
    assert client.get(f"/admin/organisations/{missing}/edit").status_code == 404
    assert client.get("/admin/organisations/not-a-uuid").status_code == 404
    response = post_form(
        client,
        f"/admin/organisations/{missing}/edit",
        {"name": "Anything"},
        form_url="/admin/organisations/new",
    )
    assert response.status_code == 404


def test_pages_that_show_change_nothing(sign_in):
    client, _ = sign_in("admin")
    provider = provider_serving(BIRMINGHAM)
    db.session.commit()
    for url in (
        "/admin/organisations",
        "/admin/organisations/new?name=X&kind=prison",
        f"/admin/organisations/{provider.id}",
        f"/admin/organisations/{provider.id}/edit?name=Changed&areas={PLYMOUTH}",
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert audit_rows(response) == []
    db.session.refresh(provider)
    assert provider.area_codes == {BIRMINGHAM}
    assert organisation_count() == 2  # the provider and the admin's own service


def test_a_post_without_a_csrf_token_is_refused(sign_in):
    client, _ = sign_in("admin")
    response = client.post("/admin/organisations/new", data={"name": "No Token", "kind": "court"})
    assert response.status_code == 400
    assert organisation_count() == 1


def test_a_name_taken_at_the_same_moment_is_a_message_not_an_error(sign_in, monkeypatch):
    from caseflow.organisations import services

    client, _ = sign_in("admin")
    OrganisationFactory(name="Raced Name", kind="court")
    db.session.commit()
    before = organisation_count()
    # As if the other request committed between our check and our insert.
    monkeypatch.setattr(services, "_clean_name", lambda name, organisation=None: name)
    response = post_form(
        client, "/admin/organisations/new", {"name": "Raced Name", "kind": "court"}
    )
    assert response.status_code == 200
    assert error_messages(soup_of(response)) == ["An organisation with that name already exists"]
    assert audit_rows(response) == []
    assert organisation_count() == before
    assert client.get("/admin/organisations").status_code == 200

    provider = provider_serving(BIRMINGHAM, name="Raced Provider")
    db.session.commit()
    response = post_form(
        client,
        f"/admin/organisations/{provider.id}/edit",
        {"name": "Raced Name", "areas": [COVENTRY]},
    )
    assert response.status_code == 200
    assert error_messages(soup_of(response)) == ["An organisation with that name already exists"]
    assert checked_areas(soup_of(response)) == {COVENTRY}
    db.session.refresh(provider)
    assert (provider.name, provider.area_codes) == ("Raced Provider", {BIRMINGHAM})
