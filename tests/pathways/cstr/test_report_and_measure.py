"""The CSTR counts on the continuity monthly partnership report, on the page and in the PDF,
and the CSTR as a pathway of the continuity measure: a release after a CSTR sentence."""

import io
from datetime import timedelta

import pypdf
from sqlalchemy import select

from caseflow.continuity.pathway_membership import registered
from caseflow.dates import local_today
from caseflow.extensions import db
from caseflow.people.models import CustodyEpisode
from tests.continuity.cohort import BIRMINGHAM, manager_of
from tests.factories import CustodyEpisodeFactory
from tests.helpers import page, signed_in_client
from tests.pathways.cstr.world import make_world


def test_the_monthly_report_shows_the_months_cstr_counts_on_the_page_and_in_the_pdf(app):
    world = make_world()
    today = local_today()
    world.made(("drr",), sentence=today.replace(day=1))
    manager = manager_of(BIRMINGHAM)
    client = signed_in_client(app, manager)
    month = f"{today.year}-{today.month:02d}"
    shown = page(client, f"/continuity/report?month={month}")
    cells = [
        [cell.get_text(strip=True) for cell in row.select("th, td")]
        for row in shown.select("#report-cstr tbody tr")
    ]
    # Requirement, local authority, assessed, suitable, made, started, within 3 weeks,
    # completed, revoked, breached.
    assert cells == [["DRR", "Birmingham", "1", "1", "1", "0", "0", "0", "0", "0"]]
    response = client.get(f"/continuity/report.pdf?month={month}")
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.data)).pages)
    assert "Community sentence treatment requirements" in text


def test_a_release_after_a_cstr_sentence_is_on_the_cstr_pathway():
    world = make_world()
    today = local_today()
    order = world.made(("drr",), sentence=today - timedelta(days=60))
    after = CustodyEpisodeFactory(person=world.person, actual_release_date=today)
    before = CustodyEpisodeFactory(
        person=world.person, actual_release_date=today - timedelta(days=90)
    )
    cstr = next(p for p in registered() if p.code == "cstr")
    on_pathway = set(
        db.session.scalars(
            select(CustodyEpisode.id).where(
                CustodyEpisode.person_id == order.person_id,
                cstr.on_release(CustodyEpisode.id, CustodyEpisode.person_id),
            )
        )
    )
    assert on_pathway == {after.id}
    assert before.id not in on_pathway
