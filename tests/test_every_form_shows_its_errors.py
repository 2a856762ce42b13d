"""Every form, sent with bad input, answers as GOV.UK's error pattern says (issue 9).

"Every form with an error has the error summary, "Error: " in the title and focus moved to the
summary." For every route that takes a POST (read from ``app.url_map``, as the route matrix does,
so a form added tomorrow is covered the day it is registered), the form is opened as someone
entitled to it, and sent back twice: once with every field left empty, once with every field
wrong (text far over any limit, dates that are not real, choices that are not offered). Each
answer that shows a problem must:

* start its title with "Error: ";
* have GOV.UK's error summary (with ``data-module="govuk-error-summary"``, which GOV.UK Frontend's
  JavaScript moves focus to when the page loads) at the top of the main content;
* list in it exactly the messages shown beside the fields, each linking to an element on the
  page that holds that message.

The wrong answers must show a problem: every form that takes typed input has something that can
be wrong. Routes whose form has no input (buttons alone) are found from their page; a route
taking a POST whose form is shown on another page is named in FORM_SHOWN_ON.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup

from caseflow.auth.models import SetUpLink
from caseflow.extensions import db
from caseflow.models import utcnow
from caseflow.security.access import PUBLIC, SIGNED_IN, role_may
from tests.fuzz import make_user as make_user_with
from tests.fuzz import pending_client
from tests.helpers import signed_in_client
from tests.security.test_route_matrix import (
    CLASSIFIED,
    ROLES,
    Route,
    World,
    make_user,
    target_for,
    url_for_target,
)

# Forms posted to one route from the page of another: (endpoint of that page, its parameters
# taken from the posting route's).
FORM_SHOWN_ON = {
    "people.add_note": "people.show",  # the case note, on the person page
    "audit.export": "audit.events",  # the CSV export: the log search's second button
}

# Routes answering a POST that no one fills in: there is nothing to get wrong, and so no
# error summary to show. Each with why.
NO_FORM = {
    "auth.sign_out": "a button in the header",
    "auth.keep_alive": "the session dialog's button, sent by script",
    "referrals.mark_notifications_read": "one button",
    "referrals.open_notification": "each notification's link, a button carrying which one",
}

# Answers a bad form may get that are not the form again: a refusal page ("Page not found"
# and the like have no form and so no summary).
NOT_THE_FORM = (301, 302, 303, 403, 404)

TOO_LONG = "x" * 10_001


@dataclass
class Opened:
    client: object
    post_url: str
    page_url: str


def first_permitted_role(route: Route) -> str:
    for role in ROLES:
        if role_may(role, route.permission):
            return role
    raise AssertionError(f"no role may use {route.label}")


def open_as_staff(app, route: Route) -> Opened:
    role = first_permitted_role(route)
    user = make_user(role)
    world = World(user)
    target = target_for(world, route, "own" if route.records else "no-record")
    db.session.commit()
    post_url = url_for_target(app, route, target)
    client = signed_in_client(app, user)
    if route.endpoint == "people.break_glass":
        # Emergency access is offered by an exact search matching someone out of scope.
        away = world.person(False)
        db.session.commit()
        token = BeautifulSoup(client.get("/people/find").data, "html.parser")
        token = token.find("input", {"name": "csrf_token"})["value"]
        client.post("/people/find", data={"nhs_number": away.nhs_number, "csrf_token": token})
    page_url = post_url
    if route.endpoint in FORM_SHOWN_ON:
        adapter = app.url_map.bind("localhost")
        page_url = adapter.build(FORM_SHOWN_ON[route.endpoint], target.values)
    return Opened(client, post_url, page_url)


def open_sign_in_step(app, route: Route) -> Opened:
    """The public forms, as the person at each step of signing in meets them."""
    if route.endpoint == "auth.sign_in":
        return Opened(app.test_client(), "/sign-in", "/sign-in")
    if route.endpoint == "auth.enter_code":
        user = make_user_with("probation")
        return Opened(pending_client(app, user), "/sign-in/code", "/sign-in/code")
    if route.endpoint == "auth.set_up_code":
        user = make_user_with("probation", totp_secret=None, totp_enrolled_at=None)
        return Opened(pending_client(app, user), "/sign-in/set-up", "/sign-in/set-up")
    if route.endpoint == "auth.set_up_account":
        user = make_user_with(
            "probation", password_hash=None, totp_secret=None, totp_enrolled_at=None
        )
        token = secrets.token_urlsafe(32)
        db.session.add(
            SetUpLink(
                user_id=user.id,
                token_hash=hashlib.sha256(token.encode()).hexdigest(),
                purpose="new_account",
                expires_at=utcnow() + timedelta(hours=24),
            )
        )
        db.session.commit()
        url = app.url_map.bind("localhost").build("auth.set_up_account", {"token": token})
        return Opened(app.test_client(), url, url)
    raise AssertionError(f"{route.label} is public: say here how its form is reached")


def routes_with_forms() -> list:
    params = []
    for route in CLASSIFIED.routes:
        if "POST" not in route.methods or route.endpoint in NO_FORM:
            continue
        params.append(pytest.param(route, id=route.label))
    return params


def the_form(soup: BeautifulSoup, post_url: str):
    """The form on the page that posts to post_url (a form with no action posts to its page)."""
    path = post_url.split("?")[0]

    def bare(url: str) -> str:
        return url.split("#")[0].split("?")[0]

    for form in soup.select("main form[method=post], main form[method=POST]"):
        if bare(form.get("action") or "") in ("", path):
            return form
    for form in soup.select("main form[method=post], main form[method=POST]"):
        # A second button sending the same form elsewhere (the audit search's CSV export).
        button = form.find(attrs={"formaction": lambda url: url and bare(url) == path})
        if button is not None:
            return form
    return None


def fields_of(form) -> dict[str, str]:
    """Each field a person fills in, by name, with its kind."""
    fields = {}
    for element in form.select("input, textarea, select"):
        name = element.get("name")
        if not name or name == "csrf_token":
            continue
        kind = element.name if element.name != "input" else element.get("type", "text")
        if kind in ("hidden", "submit", "button"):
            continue
        if kind == "text" and element.get("id", "").endswith(("-day", "-month", "-year")):
            kind = "date"
        fields.setdefault(name, kind)
    return fields


def kept_values(form) -> dict[str, str]:
    """What the page carries and the person does not type: the CSRF token, one-time tokens,
    versions; and the first submit button's own value when it has a name."""
    values = {}
    for element in form.select("input[type=hidden]"):
        if element.get("name"):
            values[element["name"]] = element.get("value", "")
    return values


def button_for(form, post_url: str) -> dict[str, str]:
    """The value of the button that sends the form to post_url, when it has a name."""
    path = post_url.split("?")[0]
    buttons = form.select("button[name], input[type=submit][name]")
    chosen = [b for b in buttons if (b.get("formaction") or "").split("?")[0] == path]
    chosen = chosen or [b for b in buttons if not b.get("formaction")]
    return {chosen[0]["name"]: chosen[0].get("value", "")} if chosen else {}


def bad_values(fields: dict[str, str], how: str) -> dict:
    sent = {}
    for name, kind in fields.items():
        if how == "empty":
            if kind == "date":
                sent[name] = ["", "", ""]
            elif kind not in ("radio", "checkbox"):
                sent[name] = ""
            continue
        if kind == "date":
            sent[name] = ["31", "2", "2025"]
        elif kind in ("select", "radio", "checkbox"):
            sent[name] = "not-a-choice"
        else:
            sent[name] = TOO_LONG
    return sent


def text_of(element) -> str:
    return " ".join(element.get_text(" ", strip=True).replace("Error:", "").split())


def check_errors_shown(soup: BeautifulSoup, where: str) -> None:
    title = " ".join(soup.title.get_text().split())
    assert title.startswith("Error: "), f"{where}: title {title!r}"
    summary = soup.select_one("main .govuk-error-summary")
    assert summary is not None, f"{where}: no error summary"
    assert summary.get("data-module") == "govuk-error-summary", (
        f"{where}: the summary is not one GOV.UK Frontend moves focus to"
    )
    # The summary comes before anything else the page says.
    main = soup.find("main")
    first_content = next(
        el
        for el in main.find_all(True)
        if el.name in ("h1", "h2", "form", "p", "table", "dl")
        and not el.find_parent(class_="govuk-notification-banner")
    )
    assert first_content.find_parent(class_="govuk-error-summary") is not None, (
        f"{where}: the error summary is not at the top of the page"
    )
    beside_fields = [text_of(el) for el in soup.select(".govuk-error-message")]
    listed = summary.select(".govuk-error-summary__list a")
    assert sorted(text_of(a) for a in listed) == sorted(beside_fields), (
        f"{where}: the summary lists {[text_of(a) for a in listed]}, the fields say {beside_fields}"
    )
    for link in listed:
        target = soup.find(id=link["href"].removeprefix("#"))
        assert target is not None, f"{where}: {link['href']} links to nothing"
        group = target if "govuk-form-group" in target.get("class", []) else None
        group = group or target.find_parent(class_="govuk-form-group--error") or target
        message = group.select_one(".govuk-error-message")
        assert message is not None and text_of(message) == text_of(link), (
            f"{where}: {link['href']} does not lead to the message {text_of(link)!r}"
        )


@pytest.mark.parametrize("route", routes_with_forms())
def test_every_form_shows_its_errors_as_gov_uk_does(app, route):
    public = route.permission in (PUBLIC, SIGNED_IN)
    opened = open_sign_in_step(app, route) if public else open_as_staff(app, route)
    shown = opened.client.get(opened.page_url, follow_redirects=True)
    assert shown.status_code == 200, f"{route.label}: its page answered {shown.status_code}"
    form = the_form(BeautifulSoup(shown.data, "html.parser"), opened.post_url)
    assert form is not None, (
        f"{route.label}: no form posting to {opened.post_url} on {opened.page_url}; "
        "name the page it is shown on in FORM_SHOWN_ON"
    )
    fields = fields_of(form)
    if not fields:
        # Buttons alone: nothing can be typed wrong.
        return
    kept = {**kept_values(form), **button_for(form, opened.post_url)}
    for how in ("empty", "wrong"):
        response = opened.client.post(opened.post_url, data={**kept, **bad_values(fields, how)})
        where = f"POST {route.label} with every field {how}"
        assert response.status_code < 500, f"{where}: {response.status_code}"
        soup = BeautifulSoup(response.data, "html.parser")
        if response.status_code in NOT_THE_FORM or not soup.select(".govuk-error-message"):
            assert how == "empty", f"{where}: answered {response.status_code} with no message"
            continue
        check_errors_shown(soup, where)
