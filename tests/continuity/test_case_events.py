"""Each case of the measure shows the audited events that put it where it is (issue #10), the
one that decides its outcome marked; only within the viewer's measured scope."""

from datetime import date

from caseflow.audit.models import AuditEvent
from caseflow.extensions import db
from tests.continuity.cohort import BIRMINGHAM, COVENTRY, manager_of
from tests.continuity.test_reconcile import Cohort
from tests.helpers import page


def _case_on_day_five():
    cohort = Cohort()
    episode = cohort.release(date(2026, 3, 2))
    cohort.start(cohort.refer(episode), date(2026, 3, 7))  # day 5
    db.session.commit()
    return episode


def _event_rows(shown):
    rows = shown.select("table.govuk-table tbody tr")
    return [" ".join(row.get_text(" ").split()) for row in rows], rows


def test_a_case_shows_its_release_referral_and_start_with_the_start_deciding_met(sign_in):
    episode = _case_on_day_five()
    client, _ = sign_in(user=manager_of(BIRMINGHAM))
    shown = page(client, f"/continuity/cases/{episode.id}")
    text = " ".join(shown.get_text(" ").split())
    assert "Met" in text and "2 March 2026" in text and "23 March 2026" in text  # window end
    texts, rows = _event_rows(shown)
    assert len(texts) == 3
    release_row, sent_row, start_row = texts
    assert "Release date: 2 March 2026" in release_row
    assert "Changed: Referral" in sent_row and "Decides" not in sent_row
    assert "Treatment start: 7 March 2026" in start_row
    deciding = [row for row in rows if row.get("data-decides")]
    assert deciding == [rows[2]]
    assert "Decides: Met" in start_row
    assert shown.find("a", href=f"/people/{episode.person_id}") is not None
    viewed = db.session.query(AuditEvent).filter_by(
        action="view", entity_type="custody_episode", entity_id=str(episode.id)
    )
    assert viewed.count() == 1


def test_another_partnerships_manager_gets_not_found(sign_in):
    episode = _case_on_day_five()
    client, _ = sign_in(user=manager_of(COVENTRY))
    assert client.get(f"/continuity/cases/{episode.id}").status_code == 404


def test_the_case_list_links_each_case_to_its_events(sign_in):
    episode = _case_on_day_five()
    client, _ = sign_in(user=manager_of(BIRMINGHAM))
    shown = page(client, "/continuity/cases?period=2026-03")
    assert shown.find("a", href=f"/continuity/cases/{episode.id}") is not None
