"""When the database cannot be reached (restarting, failed over), every page answers with
Caseflow's own error page, never the server's bare one: the page is drawn without the session
or the signed-in user, which could not be loaded (the fault drill, issue 12)."""

from bs4 import BeautifulSoup

from caseflow import create_app

# Nothing listens on port 1: every connection is refused at once.
UNREACHABLE = "postgresql://postgres@127.0.0.1:1/caseflow"


def test_a_signed_in_page_answers_the_error_page_when_the_database_is_down():
    app = create_app("test", SQLALCHEMY_DATABASE_URI=UNREACHABLE)
    client = app.test_client()
    # A session cookie: the session's row must be read, and cannot be.
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], "a" * 43)
    for url in ("/", "/worklists/accepted", "/people/find"):
        response = client.get(url)
        assert response.status_code == 500, url
        page = BeautifulSoup(response.data, "html.parser")
        assert page.title.get_text(strip=True) == (
            "Sorry, there is a problem with the service - Caseflow"
        )
        assert "Try again later." in page.get_text()
        assert "Traceback" not in response.get_data(as_text=True)
        # Drawn as for someone signed out: no user, no menu, no session token.
        assert page.select_one(".caseflow-header__user") is None
        assert page.select_one('meta[name="csrf-token"]')["content"] == ""
