"""A worklist's page: the list named, its filters as offered to this viewer, and one page of its
rows (``referrals.worklists`` and ``referrals.worklist_rows`` hold the queries).
"""

from flask import render_template, request
from flask_login import current_user

from caseflow.referrals import bp, worklist_rows, worklists
from caseflow.security.access import requires


@bp.route("/worklists/<name>")
@requires("worklist.view")
def worklist(name: str):
    title, query, kind = worklists.worklist_named(current_user, name)
    page_number = request.args.get("page", 1, type=int) or 1
    options = worklists.offered_filters(current_user, name, request.args)
    page = worklist_rows.show_worklist(current_user, name, query, page=page_number, **options)
    return render_template(
        "referrals/worklist.html",
        name=name,
        title=title,
        kind=kind,
        page=page,
        flags=worklists.FLAGS,
        areas=current_user.organisation.areas if name == "at-risk" else [],
    )
