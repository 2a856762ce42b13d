"""`make load` and the fault drill are not part of `make test` (they time things and start
servers), but the driver's reading of pages must keep up with Caseflow's forms: it sends only
what a page offered, as a browser would."""

from bench import load_driver
from bench.load_driver import Answer, Sample
from tests.helpers import page

FORM = """
<form method="post" novalidate>
  <input type="hidden" name="csrf_token" value="abc">
  <input type="hidden" name="version" value="3">
  <input name="opioid_dose" value="60ml daily">
  <input type="radio" name="consent" value="given" checked>
  <input type="radio" name="consent" value="refused">
  <input type="checkbox" name="other_needs" value="housing" checked>
  <input type="checkbox" name="other_needs" value="benefits">
  <select name="provider">
    <option value="">Select</option><option value="p2" selected>B</option>
  </select>
  <select name="substance_group"><option value="opiates">Opiates</option></select>
  <textarea name="risks">Dog &amp; cat at home</textarea>
  <button name="save_draft" value="Save as draft">Save as draft</button>
</form>
<form action="/sign-out" method="post"><input type="hidden" name="csrf_token" value="abc"></form>
"""


def test_a_form_is_read_as_a_browser_would_send_it():
    form = load_driver.form_posting_to(FORM, "/edit", "/referrals/r1/edit")
    assert form.action == "/referrals/r1/edit"  # no action: the page itself
    assert form.fields == [
        ("csrf_token", "abc"),
        ("version", "3"),
        ("opioid_dose", "60ml daily"),
        ("consent", "given"),
        ("other_needs", "housing"),
        ("provider", "p2"),
        ("substance_group", "opiates"),  # nothing selected: the first option
        ("risks", "Dog & cat at home"),
    ]
    changed = dict(form.values(risks="None known", save_draft="Save as draft"))
    assert changed["risks"] == "None known" and changed["version"] == "3"
    assert load_driver.form_posting_to(FORM, "/notes", "/referrals/r1/edit") is None


def test_the_case_note_form_of_a_person_page_is_found(sign_in):
    from tests.factories import CustodyEpisodeFactory

    client, user = sign_in("prison_healthcare")
    episode = CustodyEpisodeFactory(prison=user.organisation)
    path = f"/people/{episode.person.id}"
    html = str(page(client, path))
    form = load_driver.form_posting_to(html, "/notes", path)
    assert form is not None and form.action == f"{path}/notes"
    assert form.value("token") and form.value("csrf_token")


def test_figures_and_failures():
    samples = [Sample("page", 200, float(ms), True, "", False, 0.0) for ms in range(1, 101)]
    summary = load_driver.summarise(samples, seconds=10)
    assert (summary.requests, summary.per_second, summary.errors) == (100, 10.0, 0)
    assert (summary.p50, summary.p95, summary.p99) == (50, 95, 99)
    # A cut connection, and Caseflow's own error page, are clean failures; a bare one is not.
    assert load_driver.is_clean_failure(Answer(0, "", "", ""))
    caseflow_page = "<title>Sorry, there is a problem with the service - Caseflow</title>"
    assert load_driver.is_clean_failure(Answer(500, caseflow_page, "", ""))
    assert not load_driver.is_clean_failure(
        Answer(500, "<title>Internal Server Error</title>", "", "")
    )
