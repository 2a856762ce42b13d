"""Error pages in plain words. No traceback and nothing from the request reaches the page."""

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError

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


def render_error(status: int):
    if status >= 500:
        # Nothing of the failed request is kept, and the page can still be drawn.
        db.session.rollback()
    title, advice = ERROR_PAGES.get(status, ERROR_PAGES[500])
    return render_template("errors/error.html", status=status, title=title, advice=advice), status


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

    @app.errorhandler(StaleDataError)
    def stale_record(error):
        # Two people saved the same record at once; the second is told, and nothing is lost.
        return render_error(409)

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
