from flask import redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text

from caseflow.extensions import db
from caseflow.main import bp
from caseflow.referrals.worklists import worklists_for
from caseflow.security.access import PUBLIC, SIGNED_IN, requires


@bp.route("/")
@requires(SIGNED_IN)
def home():
    """Each role lands on its first worklist; roles without one get the start page."""
    lists = worklists_for(current_user.role)
    if lists:
        return redirect(url_for("referrals.worklist", name=lists[0]))
    return render_template("main/home.html")


@bp.route("/healthz")
@requires(PUBLIC)
def health():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
