"""Domain errors are answered in one place, the same on every page (ARCHITECTURE.md, Layers).

A service raises ``NotFound`` (404 page), ``NotPermitted`` (403 page), ``StaleRecord`` (the
form's page again with 409, keeping what was typed), ``InvalidChange`` (the form's page again,
the message beside its field) or ``InvalidTransition`` (a warning on the record's page). Views
catch none of them: the checks here are the answers themselves, on a page made for the test and
on every route Caseflow has, and that no views module has an answer of its own.
"""

import ast
import inspect
import types
import uuid
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from flask import Blueprint, redirect, render_template_string
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError

from caseflow import errors
from caseflow.domain import (
    DomainError,
    InvalidChange,
    InvalidTransition,
    NotFound,
    NotPermitted,
    StaleRecord,
)
from caseflow.extensions import csrf, db
from caseflow.forms import text_field
from caseflow.referrals.worklists import worklists_for
from caseflow.security.access import (
    PERMISSIONS,
    PUBLIC,
    SIGNED_IN,
    declared_permission,
    requires,
    role_may,
)
from tests.conftest import make_test_app
from tests.factories import UserFactory
from tests.helpers import signed_in_client

ROLES = sorted(str(role) for role in set().union(*PERMISSIONS.values()))
CASEFLOW = Path(__file__).resolve().parent.parent / "caseflow"

# What each error must give, from the rule (status, words on the page).
PAGE_FOR = {
    NotFound: (404, "Page not found"),
    NotPermitted: (403, "You do not have permission to see this page"),
    StaleRecord: (409, "Someone else changed this record"),
}


def text_of(response) -> str:
    return BeautifulSoup(response.data, "html.parser").get_text(" ", strip=True)


# On a page made for the test ------------------------------------------------------------------


class NameForm(FlaskForm):
    class Meta:
        csrf = False

    name = text_field("Name", max_length=100)


RAISED = {
    "not-found": lambda: NotFound("No such thing"),
    "not-permitted": lambda: NotPermitted("Your role cannot do this"),
    "stale": lambda: StaleRecord("Someone else changed this thing"),
    "stale-data": lambda: StaleDataError("UPDATE matched 0 rows"),
    "invalid-change": lambda: InvalidChange("Name must not be Bob", "name"),
    "invalid-change-unnamed": lambda: InvalidChange("That cannot be done now"),
    "invalid-transition": lambda: InvalidTransition("This thing has already been closed."),
}
FORM_PAGE = (
    "<p id=value>{{ form.name.data }}</p><p id=problems>{{ form.name.errors|join('|') }}</p>"
)


@pytest.fixture(scope="module")
def test_pages(database_url):
    """An app with two pages that raise what they are told: one showing a form, one not."""
    app = make_test_app(database_url)
    pages = Blueprint("raising", __name__)

    @pages.route("/raise/<kind>")
    @requires(PUBLIC)
    def plain(kind: str):
        raise RAISED[kind]()

    @pages.route("/form/<kind>", methods=["POST"])
    @requires(PUBLIC)
    def with_form(kind: str):
        form = NameForm()

        def draw(*, stale: bool = False):
            return render_template_string(
                FORM_PAGE + "<p id=stale>{{ stale }}</p>", form=form, stale=stale
            )

        errors.on_form(form, draw, record_url="/the-record")
        form.validate()
        raise RAISED[kind]()

    @pages.route("/form-saved", methods=["POST"])
    @requires(PUBLIC)
    def saved():
        form = NameForm()

        def draw(*, stale: bool = False):
            return render_template_string(
                FORM_PAGE + "<p id=stale>{{ stale }}</p>", form=form, stale=stale
            )

        errors.on_form(form, draw, record_url="/the-record")
        return redirect("/the-record")  # saved, as far as the view can tell: the commit decides

    csrf.exempt(pages)  # the form is the test's own; CSRF has tests of its own
    app.register_blueprint(pages)
    return app.test_client()


@pytest.mark.parametrize("kind", ["not-found", "not-permitted", "stale", "stale-data"])
def test_without_a_form_each_error_has_its_page(test_pages, kind):
    error = {"not-found": NotFound, "not-permitted": NotPermitted}.get(kind, StaleRecord)
    status, words = PAGE_FOR[error]
    response = test_pages.get(f"/raise/{kind}")
    assert response.status_code == status
    assert words in text_of(response)


@pytest.mark.parametrize("kind", ["invalid-change", "invalid-transition"])
def test_without_a_form_a_refused_change_is_a_400_page_with_its_message(test_pages, kind):
    response = test_pages.get(f"/raise/{kind}")
    assert response.status_code == 400
    assert str(RAISED[kind]()) in text_of(response)


def test_an_invalid_change_puts_its_message_beside_its_field_and_keeps_what_was_typed(test_pages):
    response = test_pages.post("/form/invalid-change", data={"name": "Bob"})
    assert response.status_code == 200
    soup = BeautifulSoup(response.data, "html.parser")
    assert soup.select_one("#value").get_text() == "Bob"
    assert soup.select_one("#problems").get_text() == "Name must not be Bob"
    assert soup.select_one("#stale").get_text() == "False"


def test_an_invalid_change_naming_no_field_goes_beside_the_first(test_pages):
    response = test_pages.post("/form/invalid-change-unnamed", data={"name": "Bob"})
    assert response.status_code == 200
    assert BeautifulSoup(response.data, "html.parser").select_one("#problems").get_text() == (
        "That cannot be done now"
    )


@pytest.mark.parametrize("kind", ["stale", "stale-data"])
def test_a_stale_record_is_a_409_on_the_form_keeping_what_was_typed(test_pages, kind):
    response = test_pages.post(f"/form/{kind}", data={"name": "Bob"})
    assert response.status_code == 409
    soup = BeautifulSoup(response.data, "html.parser")
    assert soup.select_one("#value").get_text() == "Bob"
    assert soup.select_one("#stale").get_text() == "True"


def test_an_invalid_transition_is_a_warning_on_the_record(test_pages):
    response = test_pages.post("/form/invalid-transition", data={"name": "Bob"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/the-record"
    with test_pages.session_transaction() as session:
        assert session["_flashes"] == [("warning", "This thing has already been closed.")]


def test_a_save_that_meets_another_at_the_commit_is_a_409_on_the_form(test_pages, monkeypatch):
    """The commit at the request edge is where two saves of one record can meet last."""
    real_commit = db.session.commit
    met = []

    def commit():
        if not met:
            met.append(True)
            raise StaleDataError("UPDATE statement on table 'referrals' expected to update 1 row")
        real_commit()

    monkeypatch.setattr(db.session, "commit", commit)
    response = test_pages.post("/form-saved", data={"name": "Bob"})

    assert met
    assert response.status_code == 409
    soup = BeautifulSoup(response.data, "html.parser")
    assert soup.select_one("#value").get_text() == "Bob"
    assert soup.select_one("#stale").get_text() == "True"
    # Answered like any other page: not kept in a shared cache, under the same policy.
    assert response.headers["Cache-Control"] == "no-store"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "Location" not in response.headers


@pytest.mark.parametrize("kind", ["not-found", "not-permitted"])
def test_on_a_form_not_found_and_not_permitted_still_have_their_pages(test_pages, kind):
    status, words = PAGE_FOR[NotFound if kind == "not-found" else NotPermitted]
    response = test_pages.post(f"/form/{kind}", data={"name": "Bob"})
    assert response.status_code == status
    assert words in text_of(response)


# On every route -------------------------------------------------------------------------------


class RaisingModule(types.ModuleType):
    """A service module whose every function raises ``error``; its constants and classes are
    the real ones. ``calls`` counts the calls made."""

    def __init__(self, real: types.ModuleType, error: type[DomainError], calls: list):
        super().__init__(real.__name__)
        self._real, self._error, self._calls = real, error, calls

    def __getattr__(self, name: str):
        value = getattr(self._real, name)
        if inspect.isfunction(value):
            return raising(value, self._error, self._calls)
        return value


def raising(function, error: type[DomainError], calls: list):
    def call(*_args, **_kwargs):
        calls.append(f"{function.__module__}.{function.__name__}")
        raise error("Raised for the test")

    return call


def is_service_module(value) -> bool:
    """A caseflow module a view calls for its work: not its forms, codes or models."""
    return (
        isinstance(value, types.ModuleType)
        and value.__name__.startswith("caseflow.")
        and value.__name__.rsplit(".", 1)[-1]
        not in ("forms", "codes", "models", "access", "errors")
    )


def is_service_function(value, view_module: str) -> bool:
    return (
        inspect.isfunction(value)
        and value.__module__.startswith("caseflow.")
        and value.__module__ != view_module
        and value.__module__.rsplit(".", 1)[-1] not in ("forms", "codes", "access", "errors")
    )


def services_raising(monkeypatch, view, error: type[DomainError]) -> list:
    """Make every service the view's module calls raise error; the calls made, as they come."""
    namespace = inspect.unwrap(view).__globals__
    calls: list = []
    for name, value in list(namespace.items()):
        if is_service_module(value):
            monkeypatch.setitem(namespace, name, RaisingModule(value, error, calls))
        elif is_service_function(value, namespace["__name__"]):
            monkeypatch.setitem(namespace, name, raising(value, error, calls))
    return calls


# Routes whose page calls no service for the method, and so cannot meet a domain error.
NO_SERVICE = {
    ("GET", "auth.sign_in"): "the sign-in form, drawn from nothing",
    ("GET", "auth.enter_code"): "no sign-in half done: back to sign-in",
    ("GET", "auth.set_up_code"): "no sign-in half done: back to sign-in",
    ("POST", "auth.sign_in"): "an empty form: the message beside the field",
    ("POST", "auth.enter_code"): "no sign-in half done: back to sign-in",
    ("POST", "auth.set_up_code"): "no sign-in half done: back to sign-in",
    ("POST", "auth.keep_alive"): "resets the idle clock, nothing else",
    ("POST", "referrals.open_notification"): "no notification named: back to the list",
    ("POST", "auth.sign_out"): "no one signed in (the page is public): nothing to record",
    ("GET", "people.find"): "the search form, drawn from nothing",
    ("POST", "people.find"): "an empty search: the message beside the field",
    ("GET", "people.new_person"): "the form to add a person, drawn from nothing",
    ("POST", "people.new_person"): "an empty form: the messages beside the fields",
    ("GET", "people.break_glass"): "no search has matched anyone: back to search",
    ("POST", "people.break_glass"): "no search has matched anyone: back to search",
    ("GET", "audit.subject_access_export"): "the search form, drawn from nothing",
    ("POST", "audit.subject_access_export"): "an empty search: the message beside the field",
}
SKIPPED_ENDPOINTS = {
    "static": "files, not pages",
    "main.health": "the load balancer's check: no service, no page",
}


def role_for(permission: str) -> str | None:
    """A role that may open the page (None: the page is public)."""
    if permission == PUBLIC:
        return None
    if permission == SIGNED_IN:
        return "keyworker"
    return next(role for role in ROLES if role_may(role, permission))


def url_for_rule(rule, role: str | None) -> str:
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        if hasattr(converter, "items"):  # <any(...)>: its first choice
            values[name] = sorted(converter.items)[0]
        elif name == "name":
            values[name] = worklists_for(role)[0] if worklists_for(role) else "none"
        elif name == "token":
            values[name] = "a-link-never-sent"
        else:
            values[name] = str(uuid.uuid4())
    return rule.build(values, append_unknown=False)[1]


def every_route(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        if rule.endpoint in SKIPPED_ENDPOINTS:
            continue
        for method in sorted(set(rule.methods) & {"GET", "POST"}):
            yield rule, method


def route_cases():
    app = make_test_app("sqlite://")  # reads the routes only; no database is touched
    return [
        pytest.param(rule.endpoint, method, id=f"{method} {rule.endpoint}")
        for rule, method in every_route(app)
    ]


ROUTES = route_cases()


@pytest.mark.parametrize("error", list(PAGE_FOR), ids=lambda error: error.__name__)
@pytest.mark.parametrize(("endpoint", "method"), ROUTES)
def test_a_service_raising_gives_the_mapped_page_on_every_route(
    app, monkeypatch, endpoint, method, error
):
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    role = role_for(declared_permission(app, endpoint))
    url = url_for_rule(rule, role)
    client = signed_in_client(app, UserFactory(role=role)) if role else app.test_client()
    # A page every client may open that carries a CSRF token: the header's sign-out form.
    shown = client.get("/notifications" if role else "/sign-in")
    csrf = BeautifulSoup(shown.data, "html.parser").find("input", {"name": "csrf_token"})
    data = {"csrf_token": csrf["value"]} if csrf else {}

    calls = services_raising(monkeypatch, app.view_functions[endpoint], error)
    response = client.get(url) if method == "GET" else client.post(url, data=data)

    if (method, endpoint) in NO_SERVICE:
        assert calls == [], f"{endpoint} calls {calls}: take it out of NO_SERVICE"
        return
    assert calls, f"{method} {endpoint} called no service: add it to NO_SERVICE with the reason"
    status, words = PAGE_FOR[error]
    assert response.status_code == status, (calls, response.status_code)
    assert words in text_of(response)


# In the source ------------------------------------------------------------------------------

DOMAIN_ERRORS = {
    name
    for name, value in vars(__import__("caseflow.domain", fromlist=["*"])).items()
    if isinstance(value, type) and issubclass(value, DomainError)
} | {"StaleDataError", "IntegrityError", "HTTPException"}


def views_modules() -> list[Path]:
    """Every module of routes: views.py, *_views.py, and each module of a views package."""
    return sorted(
        path
        for path in CASEFLOW.rglob("*.py")
        if path.stem == "views" or path.stem.endswith("_views") or path.parent.name == "views"
    )


def domain_of(path: Path) -> str:
    return path.parent.parent.name if path.parent.name == "views" else path.parent.name


def own_answers(path: Path) -> list[str]:
    """Where a views module answers an error itself: an except naming a domain error, or an
    abort() of its own."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ExceptHandler) and node.type is not None:
            names = {n.id for n in ast.walk(node.type) if isinstance(n, ast.Name)} | {
                n.attr for n in ast.walk(node.type) if isinstance(n, ast.Attribute)
            }
            if names & DOMAIN_ERRORS:
                found.append(f"line {node.lineno}: except {sorted(names & DOMAIN_ERRORS)}")
        if isinstance(node, ast.Call):
            called = (
                node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            )
            if called == "abort":
                found.append(f"line {node.lineno}: abort()")
    return found


def test_views_modules_are_found():
    names = {domain_of(path) for path in views_modules()}
    assert {"people", "referrals", "auditor", "main", "organisations", "auth"} <= names


@pytest.mark.parametrize("path", views_modules(), ids=lambda path: str(path.relative_to(CASEFLOW)))
def test_no_views_module_answers_a_domain_error_itself(path):
    assert own_answers(path) == []
