from flask import redirect, render_template
from flask_login import current_user

from caseflow.main import bp, services
from caseflow.security.access import PUBLIC, SIGNED_IN, requires
from caseflow.worklist_tabs import tabs_for


@bp.route("/")
@requires(SIGNED_IN)
def home():
    """Each role lands on its first worklist; roles without one get the start page."""
    tabs = tabs_for(current_user)
    if tabs:
        return redirect(tabs[0].href)
    return render_template("main/home.html")


@bp.route("/healthz")
@requires(PUBLIC)
def health():
    """For the load balancer: 200 while the database answers, 503 (and nothing more) if not."""
    if services.database_answers():
        return {"status": "ok"}
    return {"status": "unavailable"}, 503
