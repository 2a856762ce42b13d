"""The auditor's pages: the log, break-glass reviews, exports and subject access.

Searches are POSTed forms, so no identifier reaches a URL. Every page shown is one audit row.
"""

import uuid

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from caseflow.audit import account_events, bp, break_glass, forms, log, subject_access
from caseflow.domain import InvalidChange, NotFound
from caseflow.security.access import requires

BREAK_GLASS_ON_LOG_PAGE = 5


def _show_problem(form, error: InvalidChange) -> None:
    field = getattr(form, error.field or "", None) or next(iter(form))
    field.errors = [*field.errors, str(error)]


def _form_data(form) -> dict:
    skip = {"csrf_token", "submit"}
    return {name: field.data for name, field in form._fields.items() if name not in skip}


def _search_form() -> forms.LogSearchForm:
    return forms.LogSearchForm(organisations=log.organisations())


def _filters_from(form) -> log.LogFilters | None:
    """The search the form asks for, or None with the problems shown beside the fields."""
    if not form.validate():
        return None
    try:
        return log.log_filters(**_form_data(form))
    except InvalidChange as error:
        _show_problem(form, error)
        return None


def _render_log(form, filters, *, searched: bool, page: int = 1):
    result = log.log_page(filters, page, searched=searched)
    grants = break_glass.grants(page_size=BREAK_GLASS_ON_LOG_PAGE)
    log.record_page_shown(
        current_user,
        searched=searched,
        filters=filters,
        rows=len(result.rows),
        page=result.page,
        break_glass=len(grants.grants),
        problems=[name for name in form.errors if name],
    )
    return render_template("audit/events.html", form=form, result=result, grants=grants)


@bp.route("/", methods=["GET", "POST"])
@requires("audit.read")
def events():
    form = _search_form()
    if request.method == "GET":
        return _render_log(form, None, searched=False)
    filters = _filters_from(form)
    return _render_log(form, filters, searched=True, page=log.clamp_page(request.form.get("page")))


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
    accounts = account_events.account_events(page=log.clamp_page(request.args.get("accounts_page")))
    result = break_glass.list_grants(
        current_user,
        page=log.clamp_page(request.args.get("page")),
        also_shown={"account_events": len(accounts.events), "accounts_page": accounts.page},
    )
    return render_template("audit/break_glass.html", grants=result, accounts=accounts)


@bp.route("/break-glass/<uuid:grant_id>", methods=["GET", "POST"])
@requires("audit.review")
def review(grant_id: uuid.UUID):
    form = forms.BreakGlassReviewForm()
    if form.validate_on_submit():
        try:
            break_glass.review_grant(
                current_user, grant_id, verdict=form.verdict.data, note=form.note.data
            )
        except NotFound:
            abort(404)
        except InvalidChange as error:
            _show_problem(form, error)
        else:
            flash("Verdict recorded", "success")
            return redirect(url_for("audit.review", grant_id=grant_id))
    try:
        summary = break_glass.view_grant(current_user, grant_id)
    except NotFound:
        abort(404)
    return render_template("audit/review.html", form=form, summary=summary)


@bp.route("/subject-access", methods=["GET", "POST"])
@requires("subject_access.export")
def subject_access_export():
    form = forms.SubjectAccessForm()
    if form.validate_on_submit():
        try:
            exported = subject_access.export_subject_access(
                current_user,
                nhs_number=form.nhs_number.data,
                prison_number=form.prison_number.data,
            )
        except InvalidChange as error:
            _show_problem(form, error)
        else:
            return Response(
                exported.content,
                mimetype="application/json",
                headers={"Content-Disposition": f'attachment; filename="{exported.filename}"'},
            )
    return render_template("audit/subject_access.html", form=form)
