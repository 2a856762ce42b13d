"""Typed text survives an ended session (issue 9, "Work is never lost"): a case note sent after
30 minutes idle is answered with the sign-in page, which says it has not been saved; after the
same person signs in they are back on the form with what they typed, still not saved. What was
typed is theirs alone: the sign-in page does not show it (not even in its HTML), and anyone else
signing in on that screen gets none of it. After signing out in another tab the account is not
known, so nothing is carried and the page says so. Nothing is stored for an anonymous visitor,
no value is put in a URL, and CSRF is not loosened (SECURITY.md): another site's form is not
carried, secrets never, and the page gone back to is always a page of this site.
"""

from datetime import timedelta

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from caseflow.auth.models import UserSession
from caseflow.extensions import db
from caseflow.models import utcnow
from caseflow.people.models import CaseNote
from caseflow.security import kept_input
from tests.factories import TEST_PASSWORD, UserFactory, person_in_custody_at
from tests.helpers import csrf_token, current_code, page, signed_in_client

NOTE = "Phoned the hostel: a bed is held for Friday.\nCall back after 2pm."
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}


def notes() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(CaseNote))


def a_person_and_their_prison_healthcare(app):
    user = UserFactory(role="prison_healthcare")
    person = person_in_custody_at(user.organisation)
    db.session.commit()
    return user, person


def the_note_form_of(client, person) -> dict:
    soup = page(client, f"/people/{person.id}")
    form = soup.find("textarea", {"name": "text"}).find_parent("form")
    fields = {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name")}
    return {**fields, "text": NOTE}


def assert_holds_none_of_the_note(html: str) -> None:
    for words in ("Phoned the hostel", "a bed is held", "Call back after 2pm"):
        assert words not in html


def ended(client, app) -> None:
    """The session lapsed: 31 minutes without a request."""
    db.session.execute(
        UserSession.__table__.update().values(last_seen_at=utcnow() - timedelta(minutes=31))
    )
    db.session.commit()


def signed_in_again(client, user, sign_in_page: BeautifulSoup):
    """Both steps of sign-in, sending the sign-in page's form as a browser would."""
    form = sign_in_page.find("input", {"name": "email"}).find_parent("form")
    data = {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name")}
    data.update(email=user.email, password=TEST_PASSWORD)
    response = client.post(form.get("action") or "/sign-in", data=data)
    assert response.status_code == 302, response.data[:500]
    code_url = response.headers["Location"]
    return client.post(
        code_url, data={"code": current_code(user), "csrf_token": csrf_token(client, code_url)}
    )


def test_a_case_note_sent_after_the_session_lapsed_is_back_on_the_form_after_signing_in(app):
    user, person = a_person_and_their_prison_healthcare(app)
    client = signed_in_client(app, user)
    form = the_note_form_of(client, person)
    person_page = f"http://localhost/people/{person.id}"
    ended(client, app)

    response = client.post(
        f"/people/{person.id}/notes", data=form, headers={**SAME_ORIGIN, "Referer": person_page}
    )

    assert response.status_code == 401
    sign_in_page = BeautifulSoup(response.data, "html.parser")
    assert sign_in_page.title.get_text().startswith("Sign in")
    assert "what you typed has not been saved" in sign_in_page.get_text()
    # Anyone at the screen may read the page's HTML: none of the note is in it.
    assert_holds_none_of_the_note(response.get_data(as_text=True))
    assert notes() == 0
    # Nothing typed is put in a URL, and nothing is stored before sign-in.
    assert NOTE not in response.headers.get("Location", "")
    assert db.session.scalar(select(func.count()).select_from(UserSession)) == 0

    response = signed_in_again(client, user, sign_in_page)
    assert response.headers["Location"] == f"/people/{person.id}"
    assert notes() == 0
    back = page(client, f"/people/{person.id}")
    assert back.find("textarea", {"name": "text"}).get_text() == NOTE
    assert "check it, then save it" in back.get_text()
    assert notes() == 0

    # Saved only when the person sends it again; and shown back only once.
    again = the_note_form_of(client, person)
    assert again["text"] == NOTE
    token = csrf_token(client, f"/people/{person.id}")
    client.post(f"/people/{person.id}/notes", data={**again, "csrf_token": token})
    assert notes() == 1
    assert page(client, f"/people/{person.id}").find("textarea", {"name": "text"}).get_text() == ""


def test_after_signing_out_in_another_tab_the_page_says_the_case_note_was_not_kept(app):
    # Signing out ends the session's row and cookie: whose form this was cannot be known, so
    # nothing is carried for anyone, and the page says so plainly.
    user, person = a_person_and_their_prison_healthcare(app)
    client = signed_in_client(app, user)
    form = the_note_form_of(client, person)
    client.post("/sign-out", data={"csrf_token": csrf_token(client, f"/people/{person.id}")})

    response = client.post(
        f"/people/{person.id}/notes",
        data=form,
        headers={**SAME_ORIGIN, "Referer": f"http://localhost/people/{person.id}"},
    )

    assert response.status_code == 401
    sign_in_page = BeautifulSoup(response.data, "html.parser")
    assert "what you typed has not been saved" in sign_in_page.get_text()
    assert "could not keep it" in sign_in_page.get_text()
    assert sign_in_page.find("input", {"name": "kept"}) is None
    assert_holds_none_of_the_note(response.get_data(as_text=True))
    assert notes() == 0
    assert signed_in_again(client, user, sign_in_page).headers["Location"] != f"/people/{person.id}"
    assert page(client, f"/people/{person.id}").find("textarea", {"name": "text"}).get_text() == ""


def test_someone_else_signing_in_after_the_session_lapsed_gets_none_of_what_was_typed(app):
    # The review's scenario: the idle limit sent A's typed case note; B, at the same screen,
    # signs in on the sign-in page it brought up.
    a, person = a_person_and_their_prison_healthcare(app)
    b = UserFactory(role="prison_healthcare", organisation=a.organisation)
    db.session.commit()
    client = signed_in_client(app, a)
    form = the_note_form_of(client, person)
    ended(client, app)
    response = client.post(
        f"/people/{person.id}/notes",
        data={**form, "session_ended": "1"},
        headers={**SAME_ORIGIN, "Referer": f"http://localhost/people/{person.id}"},
    )
    assert response.status_code == 401
    sign_in_page = BeautifulSoup(response.data, "html.parser")

    signed_in = signed_in_again(client, b, sign_in_page)

    assert signed_in.headers["Location"] != f"/people/{person.id}"
    back = page(client, f"/people/{person.id}")
    assert back.find("textarea", {"name": "text"}).get_text() == ""
    assert "check it, then save it" not in back.get_text()
    assert notes() == 0


def test_another_sites_form_is_not_carried(app):
    user, person = a_person_and_their_prison_healthcare(app)
    client = signed_in_client(app, user)
    form = the_note_form_of(client, person)
    ended(client, app)
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://elsewhere.example"}, {}):
        response = client.post(f"/people/{person.id}/notes", data=form, headers=headers)
        assert response.status_code == 400
        assert BeautifulSoup(response.data, "html.parser").find("input", {"name": "kept"}) is None
        assert "Your form has expired" in response.get_data(as_text=True)


def test_passwords_and_tokens_are_never_carried(app):
    user, _person = a_person_and_their_prison_healthcare(app)
    client = signed_in_client(app, user)
    ended(client, app)
    response = client.post(
        "/people/emergency-access",
        data={"password": "a password typed", "reason": "Seen in A&E", "csrf_token": "old"},
        headers=SAME_ORIGIN,
    )
    assert response.status_code == 401
    assert "a password typed" not in response.get_data(as_text=True)
    sealed = BeautifulSoup(response.data, "html.parser").find("input", {"name": "kept"})["value"]
    # What the sealed value opens to, for the account it was sealed to, as signing in opens it.
    with app.test_request_context(
        "/sign-in", method="POST", data={"kept": sealed, "csrf_token": "x"}
    ):
        carried = dict(kept_input.opened_for(user.id)["fields"])
    assert carried == {"reason": "Seen in A&E"}


def test_the_idle_limits_own_sending_to_a_live_session_saves_nothing(app):
    # Another tab kept the session alive; the page's script sent the typed form at the limit.
    user, person = a_person_and_their_prison_healthcare(app)
    client = signed_in_client(app, user)
    form = the_note_form_of(client, person)
    token = csrf_token(client, f"/people/{person.id}")
    response = client.post(
        f"/people/{person.id}/notes",
        data={**form, "csrf_token": token, "session_ended": "1"},
        headers={**SAME_ORIGIN, "Referer": f"http://localhost/people/{person.id}"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/people/{person.id}"
    assert notes() == 0
    back = page(client, f"/people/{person.id}")
    assert back.find("textarea", {"name": "text"}).get_text() == NOTE


def test_a_mistyped_password_keeps_what_was_carried(app):
    user, person = a_person_and_their_prison_healthcare(app)
    client = signed_in_client(app, user)
    form = the_note_form_of(client, person)
    ended(client, app)
    response = client.post(
        f"/people/{person.id}/notes",
        data=form,
        headers={**SAME_ORIGIN, "Referer": f"http://localhost/people/{person.id}"},
    )
    sign_in_page = BeautifulSoup(response.data, "html.parser")
    data = {
        i["name"]: i.get("value", "")
        for i in sign_in_page.find("input", {"name": "email"}).find_parent("form").find_all("input")
        if i.get("name")
    }
    again = client.post("/sign-in", data={**data, "email": user.email, "password": "wrong" * 4})
    soup = BeautifulSoup(again.data, "html.parser")
    assert soup.title.get_text().startswith("Error: ")
    carried = sign_in_page.find("input", {"name": "kept"})["value"]
    assert soup.find("input", {"name": "kept"})["value"] == carried
    assert signed_in_again(client, user, soup).headers["Location"] == f"/people/{person.id}"


def test_the_idle_limits_own_sending_never_goes_back_to_another_site(app):
    # A Referer naming a protocol-relative path ("//elsewhere.example/x") would, followed as a
    # Location, take the browser off the site.
    user, person = a_person_and_their_prison_healthcare(app)
    client = signed_in_client(app, user)
    form = the_note_form_of(client, person)
    token = csrf_token(client, f"/people/{person.id}")
    for referrer in ("http://localhost//elsewhere.example/x", "http://localhost/\\elsewhere"):
        response = client.post(
            f"/people/{person.id}/notes",
            data={**form, "csrf_token": token, "session_ended": "1"},
            headers={**SAME_ORIGIN, "Referer": referrer},
        )
        assert response.status_code == 303
        location = response.headers["Location"]
        assert location.startswith("/") and not location.startswith("//")
        assert "elsewhere" not in location
    assert notes() == 0


def test_a_lapsed_session_never_goes_back_to_another_site_after_signing_in(app):
    # The add-a-person form posts to its own page, so it has a page of this site to go back to
    # whatever the Referer says.
    user, _person = a_person_and_their_prison_healthcare(app)
    client = signed_in_client(app, user)
    ended(client, app)
    response = client.post(
        "/people/new",
        data={"given_name": "Ottoline", "family_name": "Brackenbury", "csrf_token": "old"},
        headers={**SAME_ORIGIN, "Referer": "http://localhost//elsewhere.example/x"},
    )
    assert response.status_code == 401
    sign_in_page = BeautifulSoup(response.data, "html.parser")
    assert signed_in_again(client, user, sign_in_page).headers["Location"] == "/people/new"
    assert page(client, "/people/new").find("input", {"name": "given_name"})["value"] == "Ottoline"
