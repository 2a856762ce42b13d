"""``flask audit verify``: recompute the audit log's hash chain, compare it with the checkpoints
published outside the database, and name the first broken row or the rows that are gone."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from caseflow.audit import chain, checkpoint_lines, checkpoints
from caseflow.dates import display_utc
from caseflow.extensions import db

audit_cli = AppGroup("audit", help="The audit log.")


def _when(checkpoint: chain.Checkpoint) -> str:
    return f"{display_utc(checkpoint.at)} UTC"


def _claim(checkpoint: chain.Checkpoint) -> str:
    return (
        f"a checkpoint written {_when(checkpoint)} says the log held {checkpoint.rows} rows "
        f"up to row id {checkpoint.last_id}"
    )


def describe_gap(gap: chain.Gap) -> str:
    """The rows a checkpoint shows are gone, in words."""
    claim = _claim(gap.checkpoint)
    if gap.kind == "mismatch":
        differs = (
            f"the log holds {gap.count} rows up to it"
            if gap.same_row
            else f"row id {gap.checkpoint.last_id} here is another row"
        )
        return (
            f"Audit log does NOT MATCH a checkpoint: {claim}, but {differs}. Rows were removed "
            "and others written in their place, or the log was rebuilt."
        )
    if gap.after_id is None and gap.count == 0:
        return f"Audit log EMPTY, but {claim}. Every row was removed."
    after = f"row id {gap.after_id}" if gap.after_id is not None else "the start of the log"
    if gap.missing > 0:
        rows = "1 row" if gap.missing == 1 else f"{gap.missing} rows"
        are = "is" if gap.missing == 1 else "are"
        return (
            f"Audit log INCOMPLETE: {rows} after {after} {are} missing. {claim[0].upper()}"
            f"{claim[1:]}; {gap.count} of them are here. Rows written after that checkpoint "
            "may be missing too."
        )
    return f"Audit log INCOMPLETE: row id {gap.checkpoint.last_id} is missing; {claim}."


@audit_cli.command("verify")
@click.option(
    "--batch-size",
    default=5000,
    show_default=True,
    type=click.IntRange(min=1, max=100_000),
    help="Rows read at a time; memory stays flat however long the log is",
)
@click.option(
    "--checkpoints",
    "exports",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Also compare with the checkpoints in this file, e.g. the application log exported "
    "from where it is kept; may be given more than once",
)
def verify_command(batch_size, exports):
    """Recompute every row's chain hash in id order and compare the log with every checkpoint.

    Exits 1 at the first row that does not follow, a checkpoint whose rows are missing, or a
    checkpoint whose signature does not verify.
    """
    try:
        found, read = checkpoints.stored_checkpoints(current_app, exports)
    except checkpoint_lines.CheckpointRejected as rejected:
        click.echo(f"Audit checkpoint REJECTED: {rejected}.", err=True)
        raise SystemExit(1) from None
    result = chain.verify(db.session, batch_size=batch_size, checkpoints=found)
    if result.broken_id is not None:
        after = f"row id {result.last_id}" if result.last_id is not None else "the start of the log"
        click.echo(
            f"Audit chain BROKEN at row id {result.broken_id}: its hash does not follow {after}. "
            f"{result.rows} rows before it verified. The row was altered, or a row before it was "
            "removed or inserted.",
            err=True,
        )
        raise SystemExit(1)
    if result.gap is not None:
        click.echo(describe_gap(result.gap), err=True)
        raise SystemExit(1)
    click.echo(f"Audit chain intact: {result.rows} rows")
    if result.matched:
        click.echo(
            f"It holds every row of the newest of {len(found)} checkpoints: "
            f"{result.matched.rows} rows up to row id {result.matched.last_id}, written "
            f"{_when(result.matched)} (read from {', '.join(read)})."
        )
    else:
        click.echo(
            "No checkpoint was found to compare it with, so rows removed from the end of the "
            "log would not show."
        )
