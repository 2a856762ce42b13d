"""The start page for each role, and the health check."""

from flask import Blueprint, render_template
from sqlalchemy import text

from caseflow.extensions import db
from caseflow.security.access import PUBLIC, SIGNED_IN, requires

bp = Blueprint("main", __name__)


@bp.route("/")
@requires(SIGNED_IN)
def home():
    return render_template("main/home.html")


@bp.route("/healthz")
@requires(PUBLIC)
def health():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
