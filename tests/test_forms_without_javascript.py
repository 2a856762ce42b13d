"""Without JavaScript every question is asked and every select is a plain one (ARCHITECTURE.md:
"Pages work without JavaScript; JavaScript only enhances").

Read from the pages as the server sends them, which is what a browser without JavaScript shows:
GOV.UK's conditional reveals are hidden only by a rule that needs the class GOV.UK Frontend's
inline script adds (``.govuk-frontend-supported``), Caseflow's own reveals only by the script
that sets ``hidden``, and a long select is marked for the autocomplete, not replaced.
"""

from bs4 import BeautifulSoup

from caseflow.extensions import db
from tests.factories import PersonFactory, person_in_custody_at
from tests.helpers import page


def shown_without_javascript(element) -> bool:
    """Nothing in the page's own markup hides it: no ``hidden``, no inline display:none."""
    for node in [element, *element.parents]:
        if getattr(node, "attrs", None) is None:
            continue
        if node.has_attr("hidden") or "display:none" in node.get("style", "").replace(" ", ""):
            return False
    return True


def test_the_custody_episode_form_asks_every_question_without_javascript(sign_in):
    client, user = sign_in("prison_healthcare")
    person = PersonFactory(recorded_by=user.organisation)
    db.session.commit()
    soup = page(client, f"/people/{person.id}/custody/new")

    reason = soup.find("select", {"name": "expected_release_unknown_reason"})
    assert reason is not None and shown_without_javascript(reason)
    # Revealed under the "not known yet" box, as GOV.UK's checkboxes reveal.
    assert reason.find_parent(class_="govuk-checkboxes__conditional") is not None

    last_dose = soup.find(id="last_dose_date")
    assert last_dose is not None and shown_without_javascript(last_dose)
    group = last_dose.find_parent(attrs={"data-reveal-for": "opioid_substitution"})
    assert group is not None and group.get("data-reveal-unless") == "none"

    # About 150 local authorities: a plain select, marked to become the autocomplete.
    authorities = soup.find("select", {"name": "destination_local_authority"})
    assert len(authorities.find_all("option")) > 100
    assert authorities.get("data-caseflow-autocomplete") == "true"
    # A short select is left as it is.
    accommodation = soup.find("select", {"name": "accommodation_on_release"})
    assert not accommodation.has_attr("data-caseflow-autocomplete")


def test_the_consent_override_reason_is_revealed_under_overridden(sign_in):
    client, user = sign_in("prison_healthcare")
    person = person_in_custody_at(user.organisation)
    db.session.commit()
    soup = page(client, f"/people/{person.id}/referrals/new")

    reason = soup.find("textarea", {"name": "consent_override_reason"})
    assert reason is not None and shown_without_javascript(reason)
    conditional = reason.find_parent(class_="govuk-radios__conditional")
    assert conditional is not None
    overridden = soup.find("input", {"name": "consent", "value": "overridden"})
    assert overridden["data-aria-controls"] == conditional["id"]
    # A text area with a limit says it, with GOV.UK's character count.
    count = reason.find_parent(attrs={"data-module": "govuk-character-count"})
    assert count is not None and count["data-maxlength"] == "500"


def test_the_page_loads_the_autocomplete_from_this_site_only(client, app):
    # The Content-Security-Policy allows scripts from 'self' with the page's nonce: the
    # autocomplete is served from Caseflow's own static files, never a CDN, and inline script
    # stays refused.
    soup = BeautifulSoup(client.get("/sign-in").data, "html.parser")
    sources = [script.get("src") for script in soup.find_all("script") if script.get("src")]
    assert "/assets/accessible-autocomplete.min.js" in sources
    assert all(source.startswith("/assets/") for source in sources)
    policy = client.get("/sign-in").headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy and "unsafe-inline" not in policy
    assert client.get("/assets/accessible-autocomplete.min.js").status_code == 200
