"""The service navigation: each person sees the pages their role can use, and only those."""

from collections.abc import Sequence
from typing import NamedTuple

from flask import Flask, g, request, url_for
from flask import session as request_session
from flask_login import current_user

from caseflow.notifications import unread_count
from caseflow.security.access import SIGNED_IN, role_may
from caseflow.worklist_tabs import tabs_for

# (endpoint, link text, permission)
MENU = (
    ("main.home", "Home", SIGNED_IN),
    ("referrals.notifications", "Notifications", SIGNED_IN),
    ("people.find", "Find a person", "person.search"),
    ("people.new_person", "Add a person", "person.create"),
    ("continuity.dashboard", "Continuity of care", "continuity.view"),
    ("audit.events", "Audit log", "audit.read"),
    ("organisations.list_organisations", "Organisations", "organisation.view"),
    ("organisations.list_users", "Users", "user.view"),
    ("continuity.settings", "Measure settings", "continuity.settings"),
)


class MenuItem(NamedTuple):
    """One link of the menu, as GOV.UK's service navigation reads it. A tuple, so a menu can be
    the key its drawn HTML is kept under (templates/layout/_service_navigation.html)."""

    href: str
    text: str
    active: bool


def navigation_items(app: Flask) -> tuple[MenuItem, ...]:
    """The menu, worked out once a request: the header draws it, and the start page lists it
    again (each time it would count the unread notifications)."""
    if not current_user.is_authenticated:
        return ()
    if "navigation_items" not in g:
        g.navigation_items = _items(app, current_user._get_current_object())
    return g.navigation_items


def _items(app: Flask, user) -> tuple[MenuItem, ...]:
    items = []
    for endpoint, text, permission in MENU:
        if endpoint not in app.view_functions:
            continue
        if permission != SIGNED_IN and not role_may(user.role, permission):
            continue
        if endpoint == "referrals.notifications":
            count = _unread(user)
            text = f"Notifications ({count})" if count else text
        items.append(MenuItem(url_for(endpoint), text, request.endpoint == endpoint))
    return tuple(items)


def _unread(user) -> int:
    """The user's unread notifications, as read with the session's row when the request began
    (caseflow.security.sessions), so the menu runs no query of its own. Every action that
    changes one's own notifications (opening one, marking them read) answers with a redirect,
    so the page after it counts them again."""
    session = request_session._get_current_object()
    known = getattr(session, "unread_notifications", None)
    if known is not None and getattr(session, "account", None) is user:
        return known
    return unread_count(user)


class _TabsWhenRead(Sequence):
    """The viewer's worklist tabs, worked out only if the page draws them: every template drawn
    gets the name, and most pages are not worklists."""

    def __init__(self, user):
        self._user = user
        self._tabs = None

    def _all(self) -> list:
        if self._tabs is None:
            self._tabs = tabs_for(self._user)
        return self._tabs

    def __getitem__(self, index):
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())


def init_app(app: Flask) -> None:
    app.jinja_env.globals["navigation_items"] = lambda: navigation_items(app)

    @app.context_processor
    def worklist_tabs() -> dict:
        """The viewer's worklist tabs, for whichever domain's worklist page is drawn."""
        user = current_user._get_current_object()
        signed_in = user and user.is_authenticated
        return {"worklist_tabs": _TabsWhenRead(user) if signed_in else []}
