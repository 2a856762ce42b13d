from flask import render_template

from caseflow.audit import bp, services
from caseflow.security.access import requires


@bp.route("/")
@requires("audit.read")
def events():
    recent = services.recent_events()
    services.record(
        "list", entity_type="audit_event", purpose="audit", detail={"rows": len(recent)}
    )
    return render_template("audit/events.html", events=recent)
