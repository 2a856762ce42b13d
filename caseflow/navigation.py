"""The service navigation: each person sees the pages their role can use, and only those."""

from flask import Flask, g, request, url_for
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


def navigation_items(app: Flask) -> list[dict]:
    """The menu, worked out once a request: the header draws it, and the start page lists it
    again (each time it would count the unread notifications)."""
    if not current_user.is_authenticated:
        return []
    if "navigation_items" not in g:
        g.navigation_items = _items(app)
    return g.navigation_items


def _items(app: Flask) -> list[dict]:
    items = []
    for endpoint, text, permission in MENU:
        if endpoint not in app.view_functions:
            continue
        if permission != SIGNED_IN and not role_may(current_user.role, permission):
            continue
        if endpoint == "referrals.notifications":
            count = unread_count(current_user)
            text = f"Notifications ({count})" if count else text
        href = url_for(endpoint)
        items.append({"href": href, "text": text, "active": request.endpoint == endpoint})
    return items


def init_app(app: Flask) -> None:
    app.jinja_env.globals["navigation_items"] = lambda: navigation_items(app)

    @app.context_processor
    def worklist_tabs() -> dict:
        """The viewer's worklist tabs, for whichever domain's worklist page is drawn."""
        signed_in = current_user and current_user.is_authenticated
        return {"worklist_tabs": tabs_for(current_user) if signed_in else []}
