"""The draft's edit form reads the draft once a request, and audits what it shows.

Its page, a save and a refused save each find the draft through the scope rule once (not again in
the service that saves it), without its history or appointments, which the form shows neither
of. The page's view is audited when the page is drawn and only then: a save writes its update and
no view. Counts of statements, not timings.
"""

import pytest
from bs4 import BeautifulSoup

from caseflow.extensions import db
from caseflow.referrals.codes import Consent, Status
from caseflow.referrals.models import Referral
from tests.factories import ReferralFactory
from tests.helpers import audit_rows, page
from tests.test_edit_conflicts import edited, form_as_sent
from tests.test_statement_counts import AUDITED, SIGNED_IN, counted


def draft_of(user) -> Referral:
    referral = ReferralFactory(
        status=Status.DRAFT,
        episode__prison=user.organisation,
        referring_organisation_id=user.organisation_id,
        referred_by_id=user.id,
        risks=None,
    )
    db.session.commit()
    return referral


def reads_of_referrals(statements: list[str]) -> list[str]:
    return [s for s in statements if s.startswith("SELECT") and " FROM referrals " in s]


def reads_of_history(statements: list[str]) -> list[str]:
    return [s for s in statements if "FROM referral_events" in s or "FROM appointments" in s]


def test_the_edit_page_reads_the_draft_once_and_audits_one_view(sign_in):
    client, user = sign_in("prison_healthcare")
    referral = draft_of(user)
    url = f"/referrals/{referral.id}/edit"
    client.get(url)  # the first request of a session puts the form's CSRF token in it
    with counted() as statements:
        response = client.get(url)
    assert response.status_code == 200
    assert len(reads_of_referrals(statements)) == 1
    assert reads_of_history(statements) == []
    assert [(r.action, r.entity_type, r.entity_id, r.detail) for r in audit_rows(response)] == [
        ("view", "referral", str(referral.id), {"page": "edit"})
    ]


def test_saving_the_draft_reads_it_once_and_audits_the_update_only(sign_in):
    client, user = sign_in("prison_healthcare")
    referral = draft_of(user)
    url = f"/referrals/{referral.id}/edit"
    sent = edited(form_as_sent(page(client, url), "save_draft"), risks="Overdose in 2024")
    with counted() as statements:
        response = client.post(url, data=sent)
    assert response.status_code == 302
    assert len(reads_of_referrals(statements)) == 1
    assert reads_of_history(statements) == []
    rows = audit_rows(response)
    assert [(r.action, r.entity_type, r.entity_id) for r in rows] == [
        ("update", "referral", str(referral.id))
    ]
    assert "risks" in rows[0].detail["fields"]
    db.session.expire_all()
    saved = db.session.get(Referral, referral.id)
    assert saved.risks == "Overdose in 2024"
    assert [event.kind for event in saved.events][-1] == "edited"


def test_a_save_refused_beside_a_field_shows_the_form_again_with_one_view(sign_in):
    client, user = sign_in("prison_healthcare")
    referral = draft_of(user)
    url = f"/referrals/{referral.id}/edit"
    version = referral.version
    sent = edited(
        form_as_sent(page(client, url), "save_draft"),
        consent=Consent.OVERRIDDEN,
        consent_override_reason="",
    )
    with counted() as statements:
        response = client.post(url, data=sent)
    assert response.status_code == 200
    soup = BeautifulSoup(response.data, "html.parser")
    assert "Enter the reason for sharing without consent" in soup.get_text()
    assert len(reads_of_referrals(statements)) == 1
    assert [(r.action, r.detail) for r in audit_rows(response)] == [("view", {"page": "edit"})]
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).version == version


@pytest.mark.postgres
def test_the_edit_page_runs_a_fixed_number_of_statements(app, sign_in, monkeypatch):
    # Checkpoints are published every so many rows or minutes, not by any one page: none here.
    monkeypatch.setitem(app.config, "AUDIT_CHECKPOINT_EVERY_ROWS", 10**9)
    monkeypatch.setitem(app.config, "AUDIT_CHECKPOINT_EVERY_MINUTES", 10**9)
    client, user = sign_in("prison_healthcare")
    referral = draft_of(user)
    url = f"/referrals/{referral.id}/edit"
    client.get(url)
    with counted() as statements:
        assert client.get(url).status_code == 200
    # the draft with its person, release, area, both organisations and who referred; the
    # providers it may go to: + AUDITED
    assert len(statements) <= SIGNED_IN + 2 + AUDITED, "\n".join(s[:160] for s in statements)
