"""Template helpers answer for the person viewing the page, not whoever loaded it first."""

from bs4 import BeautifulSoup

from tests.helpers import post_form


def test_links_follow_each_persons_permissions_on_a_shared_template(sign_in):
    # After a search that finds nobody, the page offers "Add a person" only to roles that may
    # add people. Templates are compiled once per app: each person must still get their answer.
    probation, _ = sign_in("probation")
    keyworker, _ = sign_in("keyworker")
    for client, expected in ((probation, True), (keyworker, False), (probation, True)):
        response = post_form(client, "/people/find", {"nhs_number": "9434765919"})
        soup = BeautifulSoup(response.data, "html.parser")
        links = [a.get_text(strip=True) for a in soup.select("main a")]
        assert ("Add a person" in links) is expected
