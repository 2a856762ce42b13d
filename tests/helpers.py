"""Helpers for requesting pages and reading what they say."""

import hashlib
import json
import secrets
from datetime import timedelta

from bs4 import BeautifulSoup

from caseflow.auth.models import UserSession
from caseflow.extensions import db
from caseflow.models import utcnow
from caseflow.people.models import BreakGlassGrant


def signed_in_client(app, user):
    """A client holding a server-side session for user, without the sign-in form each time."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            id=hashlib.sha256(token.encode()).hexdigest(),
            user_id=user.id,
            data=json.dumps({"_user_id": str(user.id), "_fresh": True}),
        )
    )
    db.session.commit()
    client = app.test_client()
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], token)
    return client


SERVICE_TITLE = " - Caseflow"


def page(client, url, *, status=200, method="get", **kwargs) -> BeautifulSoup:
    """Request url, check the status and the page's title, and return the parsed page."""
    response = getattr(client, method)(url, **kwargs)
    assert response.status_code == status, (response.status_code, response.data[:2000])
    soup = BeautifulSoup(response.data, "html.parser")
    if response.mimetype == "text/html" and response.data:
        check_title_and_errors(soup, response.status_code)
    return soup


def shows_problems(soup: BeautifulSoup, status: int) -> bool:
    """Whether the page shows problems with what was sent: a message beside a field, or a form
    answered with an error status (an error page such as "Page not found" has no form)."""
    if soup.select(".govuk-error-message"):
        return True
    main = soup.find("main")
    return status >= 400 and main is not None and main.find("form") is not None


def check_title_and_errors(soup: BeautifulSoup, status: int) -> None:
    """GOV.UK's rules for a page's title and its errors: every page has a title naming the
    page and then the service; a page showing problems with what was sent lists them in an
    error summary at the top, and its title starts with "Error: " so screen readers hear it
    first."""
    title = " ".join(soup.title.get_text().split()) if soup.title else ""
    named = title.removeprefix("Error: ").removesuffix(SERVICE_TITLE).strip()
    assert title.endswith(SERVICE_TITLE) and named, f"the title names no page: {title!r}"
    if shows_problems(soup, status):
        assert soup.select_one(".govuk-error-summary"), f"no error summary on {title!r}"
        assert title.startswith("Error: "), title


def csrf_token(client, url) -> str:
    soup = page(client, url)
    return soup.find("input", {"name": "csrf_token"})["value"]


def error_messages(soup: BeautifulSoup) -> list[str]:
    return [
        " ".join(el.get_text(" ", strip=True).replace("Error:", "").split())
        for el in soup.select(".govuk-error-message")
    ]


def audit_rows(response):
    """The audit rows written by the request that gave this response."""
    from caseflow.audit.services import events_for_request

    db.session.expire_all()
    return events_for_request(response.headers["X-Request-Id"])


def post_form(client, url, data, *, form_url=None):
    """POST data to url with a CSRF token taken from form_url (default: url itself)."""
    token = csrf_token(client, form_url or url)
    return client.post(url, data={**data, "csrf_token": token})


def current_code(user) -> str:
    """The code the user's authenticator shows now."""
    import time

    from caseflow.security import mfa

    return mfa.code_for_step(user.totp_secret, int(time.time() // mfa.STEP_SECONDS))


def sign_in_with_form(client, email: str, password: str, code: str | None = None, next_url=None):
    """Both steps of sign-in through the pages; returns the last response."""
    url = "/sign-in" + (f"?next={next_url}" if next_url else "")
    token = csrf_token(client, url)
    response = client.post(url, data={"email": email, "password": password, "csrf_token": token})
    if code is None or response.status_code != 302:
        return response
    code_url = response.headers["Location"]
    token = csrf_token(client, code_url)
    return client.post(code_url, data={"code": code, "csrf_token": token})


def grant_emergency_access(user, person_id, *, minutes_left: int = 60) -> None:
    """Emergency access to one person for user, as the break-glass service leaves it, ending
    minutes_left from now (below zero: already ended)."""
    db.session.add(
        BreakGlassGrant(
            user_id=user.id,
            organisation_id=user.organisation_id,
            person_id=person_id,
            reason="Called by the person's GP out of hours",
            expires_at=utcnow() + timedelta(minutes=minutes_left),
        )
    )
    db.session.flush()
