"""The layout's shared parts: what is drawn once per process and what is drawn for each page.

The skip link, the phase banner and the menu are kept as HTML (caseflow.templating.rendered_once)
and templates are made as CaseflowTemplate; each page must still be the page its viewer would
get without either.
"""

import pytest
from bs4 import BeautifulSoup
from flask import Flask
from jinja2 import DictLoader, Environment, TemplateError

from caseflow.extensions import db
from caseflow.notifications import Notification
from caseflow.templating import CaseflowTemplate, FragmentReadsTooMuch, rendered_once
from tests.factories import PersonFactory
from tests.helpers import page


def _environment(templates: dict) -> Environment:
    environment = Environment(loader=DictLoader(templates), autoescape=True)
    environment.template_class = CaseflowTemplate
    return environment


def test_an_import_shares_the_cached_module_only_when_it_lacks_no_global():
    # Jinja gives an imported template a module of its own when the importing template has a
    # global it lacks; otherwise the module it keeps. CaseflowTemplate asks more cheaply, and
    # must come to the same answer both ways round.
    environment = _environment(
        {
            "macros.html": "{% macro show() %}{{ extra | default('none') }}{% endmacro %}",
            "page.html": "{% from 'macros.html' import show %}{{ show() }}",
        }
    )
    plain = environment.get_template("page.html")
    assert plain.render() == "none"
    environment.cache.clear()
    given = environment.get_template("page.html", globals={"extra": "given"})
    assert given.render() == "given"
    assert environment.get_template("page.html").render() == "given"
    assert environment.get_template("macros.html").module.show() == "none"


def _fragments(templates: dict):
    app = Flask(__name__)
    app.jinja_loader = DictLoader(templates)
    return app, rendered_once(app)


def test_a_fragment_is_drawn_once_for_each_set_of_values():
    _app, fragment = _fragments({"menu.html": "{% for item in items %}[{{ item }}]{% endfor %}"})
    first = fragment("menu.html", items=("a", "b"))
    assert first == "[a][b]"
    assert fragment("menu.html", items=("a", "b")) is first
    assert fragment("menu.html", items=("c",)) == "[c]"
    # Escaped as any page is, and marked safe so the page inserts it as it is.
    escaped = fragment("menu.html", items=("<b>",))
    assert escaped == "[&lt;b&gt;]"
    assert escaped.__html__() == "[&lt;b&gt;]"


@pytest.mark.parametrize(
    "source",
    [
        "{{ csrf_token() }}",
        "{{ csp_nonce() }}",
        "{{ current_user.display_name }}",
        "{{ request.path }}",
        "{{ session.get('x') }}",
        "{% for item in items %}{{ item }}{% endfor %}{{ g.anything }}",
    ],
)
def test_a_fragment_that_reads_the_request_or_the_person_is_refused(source):
    app, fragment = _fragments({"fragment.html": source})
    with app.test_request_context("/"), pytest.raises(FragmentReadsTooMuch):
        fragment("fragment.html", items=("a",))


def test_a_fragment_cannot_use_the_applications_filters_even_through_an_import():
    # `permitted` reads the signed-in user: kept, the first viewer's answer would be everyone's.
    templates = {
        "fragment.html": "{% if 'audit.read' | permitted %}Audit log{% endif %}",
        "macros.html": "{% macro link() %}{% if 'audit.read' | permitted %}Audit{% endif %}"
        "{% endmacro %}",
        "importing.html": "{% from 'macros.html' import link %}{{ link() }}",
    }
    app, fragment = _fragments(templates)
    app.add_template_filter(lambda _permission: True, "permitted")
    assert app.jinja_env.from_string("{{ 'x' | permitted }}").render() == "True"
    with app.test_request_context("/"):
        for name in ("fragment.html", "importing.html"):
            with pytest.raises(TemplateError):
                fragment(name)


def test_the_kept_fragments_of_the_layout_name_nothing_but_their_values(app):
    # Every page draws these: each must render (and pass the check above) as the layout uses it.
    fragment = app.jinja_env.globals["rendered_once"]
    assert "govuk-skip-link" in fragment("layout/_skip_link.html")
    assert "govuk-phase-banner" in fragment("layout/_phase_banner.html")


def _menu(client, url="/") -> list[str]:
    soup = page(client, url, follow_redirects=True)
    return [a.get_text(strip=True) for a in soup.select(".govuk-service-navigation a")]


def test_each_person_gets_the_menu_of_their_own_role_and_page(sign_in):
    admin, _ = sign_in("admin")
    keyworker, _ = sign_in("keyworker")
    for _turn in range(2):
        assert "Users" in _menu(admin)
        assert "Users" not in _menu(keyworker)
        assert "Find a person" in _menu(keyworker)
    soup = page(admin, "/")
    (active,) = soup.select(".govuk-service-navigation__item--active a")
    assert active.get_text(strip=True) == "Home"
    assert active["aria-current"] == "true"


def test_the_menu_counts_a_notification_from_the_next_page_on(sign_in):
    client, nurse = sign_in("prison_healthcare")
    assert "Notifications" in _menu(client)
    person = PersonFactory()
    db.session.add(
        Notification(
            user_id=nurse.id,
            record_type="referral",
            record_id=person.id,
            person_id=person.id,
            kind="accepted",
        )
    )
    db.session.flush()
    assert "Notifications (1)" in _menu(client)
    other, _ = sign_in("prison_healthcare")
    assert "Notifications" in _menu(other)


def test_every_page_keeps_the_skip_link_and_phase_banner(sign_in, client):
    signed_in, _ = sign_in("admin")
    for who in (client, signed_in):
        response = who.get("/auth/sign-in" if who is client else "/")
        soup = BeautifulSoup(response.data, "html.parser")
        link = soup.select_one("a.govuk-skip-link")
        assert link["href"] == "#main-content"
        assert link.get_text() == "Skip to main content"
        banner = soup.select_one(".govuk-phase-banner")
        assert banner.select_one(".govuk-tag").get_text(strip=True) == "Beta"
