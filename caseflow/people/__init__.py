"""People, their custody episodes, and finding them."""

from flask import Blueprint

bp = Blueprint("people", __name__, url_prefix="/people")

from caseflow.people import views  # noqa: E402, F401
