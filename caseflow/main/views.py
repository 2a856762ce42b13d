from flask import redirect, render_template, url_for
from flask_login import current_user

from caseflow.main import bp, services
from caseflow.referrals.worklists import worklist_tabs
from caseflow.security.access import PUBLIC, SIGNED_IN, requires


@bp.route("/")
@requires(SIGNED_IN)
def home():
    """Each role lands on its first worklist; roles without one get the start page."""
    tabs = worklist_tabs(current_user)
    if tabs:
        first, _title = tabs[0]
        return redirect(url_for("referrals.worklist", name=first))
    return render_template("main/home.html")


@bp.route("/healthz")
@requires(PUBLIC)
def health():
    services.database_answers()
    return {"status": "ok"}
