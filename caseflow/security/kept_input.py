"""What someone typed outlives the end of their session: after signing in again they are back on
the form with it, not saved, and told to check it and save it.

A form sent after the session has ended (30 minutes idle, or signed out in another tab) carries
a CSRF token the server no longer holds. Instead of "Your form has expired", a POST from a page of
this site is answered with the sign-in page and a notice saying nothing has been saved. What the
form held is kept only for the account whose session it was: read from the lapsed session's row
before it is deleted. The fields, and the page the form was on (its ``Referer``, a path of this
site that the app can open), are sealed (AEAD, the field encryption key) to that account into one
opaque hidden value: the page holds no typed text, so no one at an unattended screen can read it.
When the account cannot be known (signed out in another tab: the row has gone), nothing is
carried and the page says plainly that the form was not saved. The sealed value travels with
the password; it opens only for the account it was sealed to, so anyone else signing in on that
screen gets nothing and the value is dropped. For the right account it waits, sealed and bound to
them, in the half-signed-in session (a server-side row), and after the code it is moved into the
new session for one request: the page the form was on. Drawing that page, the form whose fields
match gets them back (``refill``), and nothing is saved until the person presses its button
again, with a fresh CSRF token. Nothing is stored for an anonymous visitor, and the values are
never written to a URL or a log.

CSRF is not loosened: the carried values are only ever shown back on a form, never acted on,
and only a POST marked by the browser as same-origin is carried at all (``Sec-Fetch-Site``, or
an ``Origin`` naming this site), so another site cannot plant text on someone's form. Passwords,
codes, one-time tokens and CSRF tokens are never carried.

The page's script, at the idle limit, sends a form someone has typed into with ``session_ended``
set (caseflow.js), so the screen is cleared but the text is kept. If another tab had kept the
session alive, that request is not a save either: it goes back to the page with the text
refilled (``keep_when_marked``).
"""

import json
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask.signals import before_render_template
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from wtforms import SubmitField

from caseflow.security import crypto
from caseflow.security.local_paths import is_local_path

# The sign-in page's one hidden input, holding the sealed form.
FIELD_NAME = "kept"
ON_SIGN_IN_PAGE = "kept_input_on_sign_in_page"
SESSION_KEY = "kept_input"
MARKER = "session_ended"
# Never carried: tokens tied to the ended session or to one sending, and secrets.
NEVER_KEPT = frozenset({"csrf_token", "token", MARKER})
SECRET_WORDS = ("password", "code", "secret")
MAX_FIELDS = 80
MAX_CHARACTERS = 30_000
# Sealed, as UTF-8 JSON in base64, the most the fields may come to.
MAX_SEALED = 8 * MAX_CHARACTERS + 4096
NOTICE = (
    "You were signed out before this was saved. What you typed is back in the form: "
    "check it, then save it."
)


def _kept_name(name: str) -> bool:
    lowered = name.lower()
    return name not in NEVER_KEPT and not any(word in lowered for word in SECRET_WORDS)


def _same_origin() -> bool:
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    origin = request.headers.get("Origin")
    return origin is not None and urlsplit(origin).netloc == request.host


def _openable(path: str) -> bool:
    """A path on this site (the one safe-next rule) that the app opens with a GET."""
    if not is_local_path(path):
        return False
    try:
        current_app.url_map.bind(request.host).match(path, method="GET")
    except HTTPException:
        return False
    return True


def _page_of_form() -> str | None:
    """The page the form was on: the referring path on this site, else the form's own if it
    can be opened (a form posting to a route of its own, like a case note, cannot)."""
    referrer = urlsplit(request.headers.get("Referer", ""))
    if referrer.netloc == request.host and _openable(referrer.path):
        return referrer.path
    return request.path if _openable(request.path) else None


def _within_limits(fields: list[tuple[str, str]]) -> bool:
    return len(fields) <= MAX_FIELDS and sum(len(v) for _, v in fields) <= MAX_CHARACTERS


@dataclass(frozen=True)
class Carried:
    """What the sign-in page carries for a form sent after the session ended: the form's fields
    and page sealed to the account whose session it was, or nothing (``sealed`` None) when that
    account is not known, and the page says the form was not saved."""

    sealed: str | None


def _on_page(user_id) -> dict:
    return {"table": "user_sessions", "column": ON_SIGN_IN_PAGE, "row_id": uuid.UUID(str(user_id))}


def _kept_from_request() -> dict | None:
    """What this POST carried that may be kept, and the page it belongs on; None when it is not
    to be kept (another site's, the sign-in pages' own, too large, from no page of this site)."""
    if request.method != "POST" or (request.blueprint or "") == "auth" or not _same_origin():
        return None
    fields = [(n, v) for n, v in request.form.items(multi=True) if _kept_name(n)]
    to = _page_of_form()
    if not fields or to is None or not _within_limits(fields):
        return None
    return {"to": to, "fields": fields}


def from_ended_session() -> Carried | None:
    """What a POST that arrived without a live session carried, to put on the sign-in page,
    sealed to the account whose session lapsed; None when it is not to be kept."""
    kept = _kept_from_request()
    if kept is None:
        return None
    owner = getattr(session, "lapsed_user_id", None)
    if owner is None:
        return Carried(sealed=None)
    return Carried(sealed=crypto.encrypt(json.dumps(kept, ensure_ascii=False), **_on_page(owner)))


def from_sign_in_form() -> Carried | None:
    """The sealed value the sign-in form sent back, to carry again (still sealed)."""
    if request.method != "POST" or request.endpoint != "auth.sign_in":
        return None
    sealed = request.form.get(FIELD_NAME, "")
    if not sealed or len(sealed) > MAX_SEALED:
        return None
    return Carried(sealed=sealed)


def opened_for(user_id) -> dict | None:
    """The kept fields the sign-in form sent back, if they were sealed to this account; for
    anyone else, nothing (and they are dropped: the caller never carries them on)."""
    carried = from_sign_in_form()
    if carried is None:
        return None
    try:
        kept = json.loads(crypto.decrypt(carried.sealed, **_on_page(user_id)))
        to = kept["to"]
        fields = [(str(name), str(value)) for name, value in kept["fields"]]
    except (crypto.DecryptionError, KeyError, TypeError, ValueError):
        return None
    fields = [(name, value) for name, value in fields if _kept_name(name)]
    if not fields or not isinstance(to, str) or not _openable(to) or not _within_limits(fields):
        return None
    return {"to": to, "fields": fields}


def _place(user_id) -> dict:
    return {"table": "user_sessions", "column": SESSION_KEY, "row_id": uuid.UUID(str(user_id))}


def seal(kept: dict, user_id) -> dict:
    """The kept fields as the session holds them: sealed, and bound to the account."""
    sealed = crypto.encrypt(json.dumps(kept["fields"]), **_place(user_id))
    return {"to": kept["to"], "sealed": sealed}


def keep_in_session(sealed: dict | None) -> None:
    """After signing in: the kept fields wait in the new session for the next page."""
    if sealed:
        session[SESSION_KEY] = sealed


def _opened(kept: dict) -> MultiDict | None:
    try:
        fields = json.loads(crypto.decrypt(kept["sealed"], **_place(current_user.id)))
    except (crypto.DecryptionError, KeyError, TypeError, ValueError):
        return None
    return MultiDict([(str(name), str(value)) for name, value in fields])


def _refill(form: FlaskForm, fields: MultiDict) -> None:
    for name, field in form._fields.items():
        if name in NEVER_KEPT or isinstance(field, SubmitField):
            continue
        field.process(fields)


def refill(_app, template, context, **_extra) -> None:
    """Drawing the page the kept fields belong to: its form gets them back, with the notice."""
    kept = session.get(SESSION_KEY)
    if not kept or request.method != "GET" or not current_user.is_authenticated:
        return
    session.pop(SESSION_KEY, None)
    if kept.get("to") != request.path:
        return
    fields = _opened(kept)
    if fields is None:
        return
    names = set(fields) - NEVER_KEPT
    for value in context.values():
        if isinstance(value, FlaskForm) and names <= set(value._fields):
            _refill(value, fields)
            flash(NOTICE, "warning")
            return


def _forget_unused() -> None:
    # One chance: the kept fields are for the page signing in lands on, and no other.
    if SESSION_KEY in session and not (request.method == "GET" and request.endpoint != "static"):
        session.pop(SESSION_KEY, None)


def keep_when_marked():
    """The idle limit's own sending of a typed form, reaching a session another tab kept
    alive: not a save; back to the page with what was typed."""
    if (
        request.method != "POST"
        or request.form.get(MARKER) != "1"
        or not current_user.is_authenticated
        or (request.blueprint or "") == "auth"
    ):
        return None
    kept = _kept_from_request()
    if kept is None:
        # Still not a save, though there is no page of this site to go back to with it.
        return redirect(url_for("main.home"), code=303)
    keep_in_session(seal(kept, current_user.id))
    # _page_of_form kept only a path the app opens; checked again where it is followed.
    return redirect(kept["to"] if is_local_path(kept["to"]) else url_for("main.home"), code=303)


def init_app(app: Flask) -> None:
    app.before_request(_forget_unused)
    app.before_request(keep_when_marked)
    before_render_template.connect(refill, app)
    app.jinja_env.globals["kept_from_sign_in"] = from_sign_in_form
