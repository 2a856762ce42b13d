"""``flask audit verify``: recompute the audit log's hash chain and name the first broken row."""

import click
from flask.cli import AppGroup

from caseflow.audit import chain
from caseflow.extensions import db

audit_cli = AppGroup("audit", help="The audit log.")


@audit_cli.command("verify")
@click.option(
    "--batch-size",
    default=5000,
    show_default=True,
    type=click.IntRange(min=1, max=100_000),
    help="Rows read at a time; memory stays flat however long the log is",
)
def verify_command(batch_size):
    """Recompute every row's chain hash in id order; exit 1 at the first that does not follow."""
    result = chain.verify(db.session, batch_size=batch_size)
    if result.intact:
        click.echo(f"Audit chain intact: {result.rows} rows")
        return
    after = f"row id {result.last_id}" if result.last_id is not None else "the start of the log"
    click.echo(
        f"Audit chain BROKEN at row id {result.broken_id}: its hash does not follow {after}. "
        f"{result.rows} rows before it verified. The row was altered, or a row before it was "
        "removed or inserted.",
        err=True,
    )
    raise SystemExit(1)
