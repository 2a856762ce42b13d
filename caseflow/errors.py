"""Error pages in plain words, and the one place a domain error becomes an answer.

No traceback and nothing from the request reaches a page.

Services raise the errors of ``caseflow.domain``; views catch none of them. Each is answered
here, the same way on every page:

* ``NotFound``: the 404 page (absent and out of scope look the same);
* ``NotPermitted``: the 403 page;
* ``StaleRecord``, and SQLAlchemy's ``StaleDataError`` when two saves of one record meet in the
  database: the form's own page again with status 409, showing what was typed;
* ``InvalidChange``: the form's own page again, the message beside the field it names;
* ``InvalidTransition``: a warning on the record's page, by a redirect to it.

The form's page is the one thing a handler cannot know by itself, so a view showing a form
names it before acting on it, with ``on_form``: the form, how to draw its page, and the record
to go back to. That is a plain value kept for the request (``flask.g``), not a framework: the
view states once what it would show anyway, and every answer is drawn from it. An error
carrying what to render was the alternative, but ``StaleDataError`` comes from the ORM (at a
flush, or at the commit at the request edge), where nothing knows the page; and services would
have to know templates. Without a form page, each error still has a page of its own.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, flash, g, make_response, redirect, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError

from caseflow.domain import (
    DomainError,
    InvalidChange,
    InvalidTransition,
    NotFound,
    NotPermitted,
    StaleRecord,
)
from caseflow.extensions import db
from caseflow.forms import FilePartRefused, FormTokenRefused

ERROR_PAGES = {
    400: ("Sorry, there is a problem with that request", "Go back and try again."),
    403: (
        "You do not have permission to see this page",
        "If you think you should, ask your manager.",
    ),
    404: ("Page not found", "If you typed the web address, check it is correct."),
    405: ("Sorry, there is a problem with that request", "Go back and try again."),
    409: ("Someone else changed this record", "Nothing you typed has been lost."),
    413: ("Sorry, that was too much to send", "Send less text and try again."),
    500: ("Sorry, there is a problem with the service", "Try again later."),
}


def render_error(status: int, advice: str | None = None):
    """The error page for status; ``advice`` replaces the general advice with a domain
    error's own message, which is written for the page."""
    title, general_advice = ERROR_PAGES.get(status, ERROR_PAGES[500])
    context = {"status": status, "title": title, "advice": advice or general_advice}
    if status < 500:
        return render_template("errors/error.html", **context), status
    try:
        # Nothing of the failed request is kept, and the page can still be drawn.
        db.session.rollback()
        return render_template("errors/error.html", **context), status
    except Exception:  # the page's own needs failed too (the database is down, say)
        return _page_without_the_database(context), status


def _page_without_the_database(context: dict) -> str:
    """The same error page, drawn as for someone signed out, from nothing but the template.

    When the database cannot be reached, the session could not be opened and the signed-in
    user not loaded, so the usual page (its header names the user, its head carries the
    session's CSRF token) fails as it is drawn and the server would answer with its own bare
    page. Drawn straight from the template, without the context processors, nothing is asked
    of the database or the session.
    """
    from flask import current_app, request
    from flask_login import AnonymousUserMixin

    template = current_app.jinja_env.get_template("errors/error.html")
    return template.render(
        **context,
        config=current_app.config,
        request=request,
        g=g,
        session={},
        current_user=AnonymousUserMixin(),
        worklist_tabs=[],
        csrf_token=lambda: "",
        get_flashed_messages=lambda *_args, **_kwargs: [],
    )


# The form a request is acting on -------------------------------------------------------------

FORM_PAGE = "form_page"


@dataclass(frozen=True)
class FormPage:
    """A form, the page it is shown on, and the record it acts on.

    ``draw(stale=...)`` returns the page with the form as it stands (what was typed, and any
    problems beside their fields). With ``stale=True`` the record changed under the form: the
    page says so and carries the record's current version, so saving again is possible.
    ``record_url`` is the record's own page, where a refused status change is explained.
    """

    form: FlaskForm
    draw: Callable[..., ResponseReturnValue]
    record_url: str | None = None


def on_form(
    form: FlaskForm, draw: Callable[..., ResponseReturnValue], *, record_url: str | None = None
) -> None:
    """Name the page this request's form is shown on, for answering a domain error."""
    setattr(g, FORM_PAGE, FormPage(form, draw, record_url))


def _form_page() -> FormPage | None:
    # Taken, not read: a page is drawn once, and an error while drawing it gets a plain page.
    return g.pop(FORM_PAGE, None)


def show_problem(form: FlaskForm, error: InvalidChange) -> None:
    """The message beside the field it names, or the form's first field."""
    field = getattr(form, error.field or "", None) or next(iter(form))
    field.errors = [*field.errors, str(error)]


def _drawn(page: FormPage, *, stale: bool) -> ResponseReturnValue:
    # Flask does not answer an error raised inside an error handler: the page is drawn here.
    try:
        return page.draw(stale=stale)
    except DomainError as error:
        # The record went out of reach while the page was being drawn again.
        return answer(error)
    except StaleDataError:
        # What the request had changed met someone else's save while the page was drawn.
        return answer_stale()


# Answers -------------------------------------------------------------------------------------


def answer_stale() -> ResponseReturnValue:
    """Someone else changed the record since the form was opened: 409, nothing typed is lost.

    Whatever this request changed goes, and the page is drawn in a fresh transaction (the
    failed one cannot be read from), with the record as it is now.
    """
    db.session.rollback()
    page = _form_page()
    if page is None:
        return render_error(409)
    response = make_response(_drawn(page, stale=True))
    if response.status_code < 400:
        response.status_code = 409
    return response


def answer(error: DomainError) -> ResponseReturnValue:
    """The answer to a domain error a service raised."""
    if isinstance(error, NotFound):
        return render_error(404)
    if isinstance(error, NotPermitted):
        # A service's refusal is written for the page: it says why (emergency access only
        # lets someone read, say), where the general 403 advice would not.
        return render_error(403, str(error) or None)
    if isinstance(error, StaleRecord):
        return answer_stale()
    page = _form_page()
    if isinstance(error, InvalidTransition):
        if page is None or page.record_url is None:
            return render_error(400, str(error))
        flash(str(error), "warning")
        return redirect(page.record_url)
    if isinstance(error, InvalidChange) and page is not None:
        show_problem(page.form, error)
        return _drawn(page, stale=False)
    return render_error(400, str(error))


def log_exception_safely(app: Flask):
    """Flask logs a whole traceback, whose SQL parameters can hold personal values: not here."""

    def log_exception(exc_info) -> None:
        error = exc_info[1]
        app.logger.error("Unhandled %s on %s", type(error).__name__, _route_name())

    return log_exception


def init_app(app: Flask) -> None:
    app.log_exception = log_exception_safely(app)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        # A form sent after the session ended: sign in again and go back to it, typed text kept.
        from caseflow.auth.views import sign_in_keeping
        from caseflow.security import kept_input

        kept = None if current_user.is_authenticated else kept_input.from_ended_session()
        if kept is not None:
            return sign_in_keeping(kept)
        title = "Your form has expired"
        advice = (
            "This can happen if the page was open for a long time, or you were signed out after "
            "30 minutes without using Caseflow. Sign in again if you need to, then try again."
        )
        page = render_template(
            "errors/error.html", status=400, title=title, advice=advice, offer_sign_in=True
        )
        return page, 400

    @app.errorhandler(FilePartRefused)
    def file_part_refused(error):
        title = "Caseflow does not take files"
        advice = "Nothing was saved. Go back, type your answer into the form and try again."
        return render_template("errors/error.html", status=400, title=title, advice=advice), 400

    @app.errorhandler(FormTokenRefused)
    def form_token_refused(error):
        # A form carried to another record or another person's sign-in: nothing is done with it.
        title = "This form could not be sent"
        advice = (
            "It was opened for a different record, or by someone else signed in on this "
            "computer, so nothing was saved. Go back, reload the page and try again."
        )
        return render_template("errors/error.html", status=400, title=title, advice=advice), 400

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        return answer(error)

    @app.errorhandler(StaleDataError)
    def stale_data(error):
        # Two people saved the same record at once and the database noticed at a flush; the
        # commit at the request edge answers the same way (caseflow._end_transaction).
        return answer_stale()

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return render_error(error.code or 500)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        # Logged by type only: the message of a database error can hold personal values.
        app.logger.error("Unhandled %s on %s", type(error).__name__, _route_name())
        return render_error(InternalServerError.code)


def _route_name() -> str:
    from flask import request

    return request.endpoint or "unknown route"
