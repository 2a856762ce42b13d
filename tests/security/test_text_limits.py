"""Every free-text field has a length limit, said in GOV.UK's words and shown on the page.

SECURITY.md, Reliability: "very long text ... gets a message beside the field". Each text field
of every form in Caseflow carries a ``Length(max=...)`` whose message follows GOV.UK's pattern
("Reason must be 500 characters or fewer"), and each text area says its limit with GOV.UK's
character count, which counts down as the person types.
"""

import importlib
import pkgutil
import re
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.fields.core import UnboundField
from wtforms.validators import Length

import caseflow
from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.organisations.models import OrganisationKind
from caseflow.referrals.models import Referral
from caseflow.security.access import PUBLIC, SIGNED_IN, role_may
from tests.factories import (
    CustodyEpisodeFactory,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
    person_in_custody_at,
    provider_serving,
)
from tests.helpers import csrf_token, error_messages, signed_in_client
from tests.security.test_route_matrix import (
    CLASSIFIED,
    ROLES,
    World,
    make_user,
    target_for,
    url_for_target,
)

GOV_UK_LIMIT = re.compile(r"^(?P<name>[A-Z][^?()]*) must be (?P<size>\d+) characters or fewer$")


def every_form_class() -> list[type]:
    for module in pkgutil.walk_packages(caseflow.__path__, "caseflow."):
        importlib.import_module(module.name)
    found, waiting = [], list(FlaskForm.__subclasses__())
    while waiting:
        form = waiting.pop()
        found.append(form)
        waiting.extend(form.__subclasses__())
    return sorted(set(found), key=lambda form: (form.__module__, form.__qualname__))


def text_fields(form: type) -> list[tuple[str, UnboundField]]:
    """The form's fields that take typed text (text, text areas, passwords, hidden values)."""
    fields = []
    for name in dir(form):
        value = getattr(form, name, None)
        if isinstance(value, UnboundField) and issubclass(value.field_class, StringField):
            fields.append((name, value))
    return fields


def length_limits(field: UnboundField) -> list[Length]:
    validators = field.kwargs.get("validators") or []
    return [v for v in validators if isinstance(v, Length) and v.max is not None and v.max > 0]


FORMS = every_form_class()
TEXT_FIELDS = [
    pytest.param(form, name, field, id=f"{form.__module__}.{form.__qualname__}.{name}")
    for form in FORMS
    for name, field in text_fields(form)
]
TEXT_AREAS = {
    name: length_limits(field)[0].max if length_limits(field) else None
    for form in FORMS
    for name, field in text_fields(form)
    if issubclass(field.field_class, TextAreaField)
}


def test_the_walk_finds_the_forms_it_should():
    names = {form.__name__ for form in FORMS}
    assert {"ReferralForm", "PersonForm", "CaseNoteForm", "LogSearchForm", "SignInForm"} <= names
    assert {"risks", "text", "reason", "note", "address"} <= set(TEXT_AREAS)


@pytest.mark.parametrize(("form", "name", "field"), TEXT_FIELDS)
def test_every_text_field_has_a_length_limit_in_gov_uk_words(form, name, field):
    limits = length_limits(field)
    assert limits, f"{form.__name__}.{name} takes any length of text"
    if issubclass(field.field_class, HiddenField):
        return  # nobody types into it; a value not issued is refused whatever its length
    for limit in limits:
        message = limit.message or ""
        if message.startswith("Enter "):
            continue  # a code or identifier: the message says what to type instead
        wording = GOV_UK_LIMIT.match(message)
        assert wording, (
            f"{form.__name__}.{name}: {message!r} is not '<Name> must be N characters or fewer'"
        )
        assert int(wording["size"]) == limit.max, message


# Every page with a text area shows its limit -------------------------------------------------


def get_pages() -> list:
    """Each GET route once, as the first role permitted it, on that role's own record."""
    params = []
    for route in CLASSIFIED.routes:
        if "GET" not in route.methods or route.permission in (PUBLIC, SIGNED_IN):
            continue
        for role in ROLES:
            if role_may(role, route.permission):
                params.append((route, role))
    return params


def check_counts(soup: BeautifulSoup, where: str) -> set[str]:
    """Each text area on the page is in a character count saying its limit; their names."""
    seen = set()
    for textarea in soup.find_all("textarea"):
        name = textarea["name"]
        seen.add(name)
        count = textarea.find_parent("div", class_="govuk-character-count")
        assert count is not None, f"{where}: {name} has no character count"
        assert count.get("data-module") == "govuk-character-count", where
        limit = TEXT_AREAS.get(name)
        assert limit, f"{where}: {name} is not a text area of any form"
        assert count.get("data-maxlength") == str(limit), (where, name)
        hint = soup.find(id=f"{textarea['id']}-info")
        assert hint is not None, f"{where}: {name} has no count hint"
        assert hint.get_text(" ", strip=True) == f"You can enter up to {limit} characters", where
        assert f"{textarea['id']}-info" in textarea.get("aria-describedby", "").split(), where
    return seen


def test_every_page_with_a_text_area_shows_its_character_count(app):
    seen: set[str] = set()
    for route, role in get_pages():
        user = make_user(role)
        target = target_for(World(user), route, "own" if route.records else "no-record")
        db.session.commit()
        response = signed_in_client(app, user).get(url_for_target(app, route, target))
        if response.status_code == 200:
            soup = BeautifulSoup(response.data, "html.parser")
            seen |= check_counts(soup, f"{route.label} as {role}")
    seen |= check_counts(emergency_access_page(app), "people.break_glass")
    assert seen == set(TEXT_AREAS), f"text areas never shown: {set(TEXT_AREAS) - seen}"


def emergency_access_page(app) -> BeautifulSoup:
    """The break-glass form, reached as it always is: an exact search matching someone out of
    scope."""
    person = person_in_custody_at(OrganisationFactory(kind=OrganisationKind.PRISON))
    user = UserFactory(role="keyworker")
    db.session.commit()
    client = signed_in_client(app, user)
    token = csrf_token(client, "/people/find")
    client.post("/people/find", data={"nhs_number": person.nhs_number, "csrf_token": token})
    response = client.get("/people/emergency-access")
    assert response.status_code == 200
    return BeautifulSoup(response.data, "html.parser")


# The dose that had no limit ------------------------------------------------------------------


def test_an_over_long_dose_is_a_message_beside_the_field_and_nothing_is_saved(sign_in):
    client, user = sign_in("prison_healthcare")
    person = PersonFactory(recorded_by=user.organisation)
    CustodyEpisodeFactory(
        person=person,
        prison=user.organisation,
        actual_release_date=local_today() - timedelta(days=3),
    )
    provider = provider_serving()
    db.session.commit()
    url = f"/people/{person.id}/referrals/new"
    token = csrf_token(client, url)
    response = client.post(
        url,
        data={
            "provider": str(provider.id),
            "consent": "given",
            "substance_group": "opiate",
            "opioid_medicine": "methadone",
            "opioid_dose": "60ml daily " * 50_000,  # about 500 kB
            "bridging_prescription": "yes",
            "long_acting_injectable": "no",
            "naloxone_on_release": "yes",
            "save_draft": "Save as draft",
            "csrf_token": token,
        },
    )
    assert response.status_code == 200
    soup = BeautifulSoup(response.data, "html.parser")
    assert "Dose must be 100 characters or fewer" in error_messages(soup)
    assert db.session.scalar(select(func.count()).select_from(Referral)) == 0
