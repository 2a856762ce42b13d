"""The measure's pages for managers: the headline for a period, each breakdown, and the cases
behind any number, each case linking to the person."""

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from caseflow import errors
from caseflow.continuity import (
    bp,
    case_events,
    downloads,
    forms,
    overview,
    pdf,
    periods,
    services,
    settings_admin,
    settings_forms,
)
from caseflow.continuity import report as continuity_report
from caseflow.security.access import requires

DEFAULT_BREAKDOWN = "local_authority"


def _period():
    return periods.chosen_period(request.args.get("period"))


@bp.route("/")
@requires("continuity.view")
def dashboard():
    choices = periods.period_choices()
    form = forms.PeriodForm(request.args, periods=choices)
    if request.args.get("period") and not form.validate():
        # A period not offered: say so beside the chooser, and show the default.
        period = periods.latest_complete_quarter()
    else:
        period = _period()
        form.period.data = period.code
    return render_template(
        "continuity/dashboard.html",
        form=form,
        dimensions=services.DIMENSIONS,
        **overview.dashboard_for(current_user, period),
    )


@bp.route("/breakdown")
@requires("continuity.view")
def breakdown():
    period = _period()
    dimension = request.args.get("by") or DEFAULT_BREAKDOWN
    found = services.breakdown_for(current_user, period, dimension)
    return render_template(
        "continuity/breakdown.html",
        period=period,
        dimension=dimension,
        heading=services.DIMENSIONS[dimension][0],
        rows=found.rows,
        settings=found.settings,
    )


@bp.route("/cases")
@requires("continuity.view")
def cases():
    period = _period()
    dimension = request.args.get("by") or None
    value = request.args.get("value") or None
    outcome = request.args.get("outcome") or None
    found = services.case_list(
        current_user,
        period,
        dimension=dimension,
        value=value,
        outcome=outcome,
        page=request.args.get("page", 1),
    )
    return render_template(
        "continuity/cases.html",
        period=period,
        dimension=dimension,
        heading=services.DIMENSIONS[dimension][0] if dimension else None,
        value=value,
        outcome=outcome,
        found=found,
        names=services.case_names(found.rows),
    )


@bp.route("/cases/<uuid:episode_id>")
@requires("continuity.view")
def case(episode_id):
    shown = case_events.case_events(current_user, episode_id)
    return render_template(
        "continuity/case.html", shown=shown, names=services.case_names([shown.case])
    )


# Act now and the CSV downloads (continuity/downloads.py) ----------------------------------------


@bp.route("/act-now")
@requires("continuity.view")
def act_now():
    found = services.act_now(current_user, page=request.args.get("page", 1))
    return render_template(
        "continuity/act_now.html", found=found, names=services.case_names(found.rows)
    )


def _csv(exported):
    return Response(
        exported.lines,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{exported.filename}"'},
    )


@bp.route("/breakdown.csv")
@requires("continuity.view")
def breakdown_csv():
    dimension = request.args.get("by") or DEFAULT_BREAKDOWN
    return _csv(downloads.breakdown_csv(current_user, _period(), dimension))


@bp.route("/cases.csv")
@requires("continuity.view")
def cases_csv():
    return _csv(
        downloads.case_list_csv(
            current_user,
            _period(),
            dimension=request.args.get("by") or None,
            value=request.args.get("value") or None,
            outcome=request.args.get("outcome") or None,
        )
    )


# The measure's settings, for administrators (continuity/settings_admin.py) ----------------------


@bp.route("/settings")
@requires("continuity.settings")
def settings():
    return render_template(
        "continuity/settings.html",
        versions=settings_admin.history(current_user),
        words=settings_forms,
    )


@bp.route("/settings/new", methods=["GET", "POST"])
@requires("continuity.settings")
def new_settings():
    form = settings_forms.SettingsForm()
    latest = settings_admin.latest(current_user)
    if request.method == "GET":
        form.fill_from(latest)

    def page(stale: bool = False):
        return render_template(
            "continuity/settings_new.html", form=form, latest=latest, words=settings_forms
        )

    errors.on_form(form, page)
    if form.validate_on_submit():
        saved = settings_admin.change(current_user, form.settings())
        flash(f"New settings saved: {saved.summary()}", "success")
        return redirect(url_for("continuity.settings"))
    return page()


# The monthly partnership report (continuity/report.py) --------------------------------------


@bp.route("/report")
@requires("continuity.view")
def report():
    found = continuity_report.monthly_report(
        current_user, continuity_report.report_month(request.args.get("month"))
    )
    return render_template(
        "continuity/report.html", report=found, months=continuity_report.month_choices()
    )


@bp.route("/report.pdf")
@requires("continuity.view")
def report_pdf():
    found = continuity_report.monthly_report(
        current_user,
        continuity_report.report_month(request.args.get("month")),
        download=True,
    )
    document = pdf.pdf_of(render_template("continuity/report_pdf.html", report=found))
    return Response(
        document,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": (
                f'attachment; filename="continuity-report-{found.month.code}.pdf"'
            )
        },
    )
