"""The auditor's pages: the log, break-glass reviews, exports and subject access.

Searches are POSTed forms, so no identifier reaches a URL. Every page shown is one audit row.
"""

import uuid

from flask import (
    Response,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from caseflow import errors
from caseflow.auditor import account_events, bp, break_glass, forms, log, subject_access
from caseflow.paging import page_number
from caseflow.security.access import requires

BREAK_GLASS_ON_LOG_PAGE = 5


def _form_data(form) -> dict:
    skip = {"csrf_token", "submit"}
    return {name: field.data for name, field in form._fields.items() if name not in skip}


def _search_form() -> forms.LogSearchForm:
    return forms.LogSearchForm(organisations=log.organisations())


def _filters_from(form, *, page: int = 1) -> log.LogFilters | None:
    """The search the form asks for, or None with the problems shown beside the fields. A
    search the log refuses is shown on the log page too, with no rows."""
    errors.on_form(form, lambda stale=False: _render_log(form, None, searched=True, page=page))
    if not form.validate():
        return None
    return log.log_filters(**_form_data(form))


def _render_log(form, filters, *, searched: bool, page: int = 1):
    result = log.log_page(filters, page, searched=searched)
    grants = break_glass.grants(page_size=BREAK_GLASS_ON_LOG_PAGE)
    log.record_page_shown(
        current_user,
        searched=searched,
        filters=filters,
        rows=len(result.rows),
        page=result.page,
        break_glass=len(grants.shown.rows),
        problems=[name for name in form.errors if name],
    )
    return render_template(
        "audit/events.html",
        form=form,
        result=result,
        searched=searched,
        grants=grants,
        window=filters.window if filters else None,
    )


@bp.route("/", methods=["GET", "POST"])
@requires("audit.read")
def events():
    form = _search_form()
    if request.method == "GET":
        return _render_log(form, None, searched=False)
    page = page_number(request.form.get("page"))
    return _render_log(form, _filters_from(form, page=page), searched=True, page=page)


@bp.route("/export", methods=["POST"])
@requires("audit.export")
def export():
    form = _search_form()
    filters = _filters_from(form)
    if filters is None:
        return _render_log(form, None, searched=True)
    exported = log.export_log(current_user, filters)
    return Response(
        exported.lines,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{exported.filename}"'},
    )


@bp.route("/break-glass")
@requires("audit.read")
def break_glass_list():
    # Beside break-glass: who made or reset each clinical account, and its first use.
    accounts = account_events.account_events(page=page_number(request.args.get("accounts_page")))
    result = break_glass.list_grants(
        current_user,
        page=page_number(request.args.get("page")),
        also_shown={"account_events": len(accounts.rows), "accounts_page": accounts.page},
    )
    return render_template("audit/break_glass.html", grants=result, accounts=accounts)


@bp.route("/break-glass/<uuid:grant_id>", methods=["GET", "POST"])
@requires("audit.review")
def review(grant_id: uuid.UUID):
    form = forms.BreakGlassReviewForm()

    def page(stale: bool = False):
        summary = break_glass.view_grant(current_user, grant_id)
        return render_template("audit/review.html", form=form, summary=summary)

    errors.on_form(form, page)
    if form.validate_on_submit():
        break_glass.review_grant(
            current_user, grant_id, verdict=form.verdict.data, note=form.note.data
        )
        flash("Verdict recorded", "success")
        return redirect(url_for("audit.review", grant_id=grant_id))
    return page()


@bp.route("/subject-access", methods=["GET", "POST"])
@requires("subject_access.export")
def subject_access_export():
    form = forms.SubjectAccessForm()

    def page(stale: bool = False):
        return render_template("audit/subject_access.html", form=form)

    errors.on_form(form, page)
    if form.validate_on_submit():
        exported = subject_access.export_subject_access(
            current_user,
            nhs_number=form.nhs_number.data,
            prison_number=form.prison_number.data,
        )
        return Response(
            exported.content,
            mimetype="application/json",
            headers={"Content-Disposition": f'attachment; filename="{exported.filename}"'},
        )
    return page()
