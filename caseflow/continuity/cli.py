"""``flask continuity report`` and ``flask continuity reconcile``: the measure for scripts and
analysts, from the same service as the pages, and its check against the audit log."""

import json

import click
from flask.cli import AppGroup

from caseflow.continuity import facts, periods, reconcile, services
from caseflow.extensions import db

continuity_cli = AppGroup("continuity", help="The continuity-of-care measure.")

PERIOD_HELP = "A month (2026-03), a quarter (2026-Q1) or a financial year (2025-26)."


def _period(text: str) -> periods.Period:
    try:
        return periods.parse(text)
    except periods.NotAPeriod as error:
        raise click.BadParameter(str(error), param_hint="--period") from error


def _partnership(name: str | None):
    if name is None:
        return None
    found = services.partnership_named(name)
    if found is None:
        raise click.BadParameter(f"No partnership called {name!r}", param_hint="--partnership")
    return found


def _percent(rate: float | None) -> str:
    return "no cohort" if rate is None else f"{rate:.1%}"


@continuity_cli.command("report")
@click.option("--period", "period_code", required=True, help=PERIOD_HELP)
@click.option("--partnership", "partnership_name", help="Exact partnership name; default England.")
@click.option("--json", "as_json", is_flag=True, help="Print the headline figures as JSON.")
def report_command(period_code, partnership_name, as_json):
    """The headline figures: cohort, met, not met, pending, excluded, rate, provisional."""
    period = _period(period_code)
    partnership = _partnership(partnership_name)
    scope = services.Scope.of_partnership(partnership) if partnership else services.Scope.national()
    measure = services.headline(scope, period)
    if as_json:
        click.echo(json.dumps(measure.as_dict(), sort_keys=True))
        return
    figures = measure.figures
    click.echo(f"{scope.name}, releases in {period.label}")
    click.echo(measure.settings.summary())
    click.echo(
        f"Rate {_percent(figures.rate)} against {measure.settings.target_percent}%"
        + (" (provisional: windows still open)" if figures.provisional else "")
    )
    click.echo(
        f"Cohort {figures.cohort}: met {figures.met}, not met {figures.not_met}, "
        f"pending {figures.pending}; excluded {figures.excluded}"
    )


@continuity_cli.command("reconcile")
@click.option("--period", "period_code", required=True, help=PERIOD_HELP)
@click.option("--partnership", "partnership_name", help="Exact partnership name; default England.")
def reconcile_command(period_code, partnership_name):
    """Recompute the measure from the audit log alone and compare it with the records; name
    every release that differs, with the audit event that decides it. Exits 1 on a difference."""
    period = _period(period_code)
    partnership = _partnership(partnership_name)
    found = reconcile.reconcile(period, partnership)
    name = partnership.name if partnership else "England"
    click.echo(f"{name}, releases in {period.label}. {found.settings.summary()}")
    for label, figures in (("records", found.records), ("audit log", found.log)):
        click.echo(
            f"  {label:9}: cohort {figures.cohort}, met {figures.met}, not met {figures.not_met}, "
            f"pending {figures.pending}, excluded {figures.excluded}, rate {_percent(figures.rate)}"
        )
    if found.agrees:
        click.echo("The audit log and the records agree.")
        return
    click.echo(f"{len(found.differences)} release(s) differ:")
    for difference in found.differences:
        click.echo(f"  {difference.describe()}")
    raise SystemExit(1)


@continuity_cli.command("rebuild-facts")
def rebuild_facts_command():
    """Write every release's facts row from the records: after a bulk load, which writes the
    tables without the application, or to mend rows changed outside it."""
    written = facts.rebuild(db.session.connection())
    db.session.commit()
    click.echo(f"{written} release facts rows written from the records.")


@continuity_cli.command("check-facts")
def check_facts_command():
    """Compare every release's kept facts row with its records; exits 1 if any differs (a
    record changed outside the application: ``rebuild-facts`` mends it)."""
    wrong = facts.differences(db.session.connection())
    if not wrong:
        click.echo("Every release's facts row is what its records say.")
        return
    click.echo(f"{len(wrong)} release(s) whose facts row differs from the records:")
    for episode_id in wrong:
        click.echo(f"  release {episode_id}")
    raise SystemExit(1)
