"""People, their custody episodes, and finding them."""

from flask import Blueprint

bp = Blueprint("people", __name__, url_prefix="/people")
