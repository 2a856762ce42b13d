"""Backups with PostgreSQL's own tools, and the drill that proves one can be restored.

``flask backup create`` (``make backup``) writes ``caseflow-<UTC time>.dump`` with
``pg_dump --format=custom`` into BACKUP_DIR, and beside it ``.checkpoint``: the audit chain's
head taken just before the dump began, as a signed checkpoint line (caseflow.audit.checkpoints).
pg_dump reads one snapshot that starts after that line was taken, so the dump holds every row
the line counts.

``flask backup restore-drill`` (``make restore-drill``) restores the newest dump into a fresh
database beside the live one and checks the copy as a restore would be checked before anyone
relied on it:

1. the audit chain verifies from the first row to the last, and matches the dump's own
   checkpoint and every published checkpoint up to the copy's last row (rows written after the
   backup are rightly not in it, so later checkpoints are not held against it);
2. every encrypted field of every table opens with the configured keys, bound to its own row
   (so a dump restored without the keys, or rows moved between tables, fail here);
3. it prints the rows of each table and each audit partition;

then drops the copy (``--keep`` leaves it for a look). It exits 1 if anything failed. Keys are
never in a dump: they come from the configuration, as for the running application.

Passwords go to pg_dump and pg_restore in PGPASSWORD, never on their command line.
"""

import os
import shutil
import subprocess  # nosec B404 # pg_dump and pg_restore, run with argument lists, no shell
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

from caseflow.audit import chain, checkpoint_lines, checkpoints
from caseflow.audit.cli import describe_gap
from caseflow.audit.partitions import SCHEMA as PARTITION_SCHEMA
from caseflow.models import Base
from caseflow.security import crypto
from caseflow.security.rotation import encrypted_columns

DUMP_SUFFIX = ".dump"
CHECKPOINT_SUFFIX = ".checkpoint"
BATCH = 1000


class BackupError(RuntimeError):
    """A backup or a drill could not be made (a tool failed, no backup to restore)."""


def backup_dir(app: Flask) -> Path:
    """CASEFLOW_BACKUP_DIR, else backups/ in the instance folder."""
    named = app.config.get("BACKUP_DIR") or os.environ.get("CASEFLOW_BACKUP_DIR")
    return Path(named) if named else Path(app.instance_path) / "backups"


def _libpq(url: URL) -> tuple[list[str], dict]:
    """Connection arguments for PostgreSQL's tools, and the environment holding the password."""
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = url.password
    args = ["--host", url.host or "localhost", "--port", str(url.port or 5432)]
    if url.username:
        args += ["--username", url.username]
    return args, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed (Debian: postgresql-client)")
    return found


def _run(command: list[str], env: dict) -> None:
    # An argument list made here, no shell: nothing typed by anyone reaches it.
    done = subprocess.run(  # noqa: S603 # nosec B603 # the argument list above, no shell
        command, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        # The tool's own message names the database and the object, never a row's values.
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()[-500:]}")


def _database_url(app: Flask) -> URL:
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "postgresql":
        raise BackupError("backups are made of PostgreSQL databases only")
    return url


def create_backup(app: Flask, folder: Path | None = None) -> Path:
    """Dump the application's database; the dump's path (its checkpoint beside it)."""
    url = _database_url(app)
    folder = folder or backup_dir(app)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stem = folder / f"caseflow-{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}"
    head = checkpoints.current_head(None)
    if head is not None:
        line = checkpoint_lines.signed_line(chain.chain_key(), head)
        stem.with_suffix(CHECKPOINT_SUFFIX).write_text(line + "\n", encoding="ascii")
    args, env = _libpq(url)
    dump = stem.with_suffix(DUMP_SUFFIX)
    _run([_tool("pg_dump"), *args, "--format=custom", "--file", str(dump), url.database], env)
    dump.chmod(0o600)
    return dump


def latest_backup(folder: Path) -> Path:
    dumps = sorted(folder.glob(f"caseflow-*{DUMP_SUFFIX}"))
    if not dumps:
        raise BackupError(f"no backup in {folder}: run make backup first")
    return dumps[-1]


@dataclass
class DrillReport:
    backup: Path
    database: str
    verification: chain.Verification | None = None
    own_checkpoint: chain.Checkpoint | None = None
    checkpoints_compared: int = 0
    decrypted: dict[str, int] = field(default_factory=dict)
    undecryptable: dict[str, int] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    partitions: dict[str, int] = field(default_factory=dict)
    rejected: str | None = None  # a checkpoint whose signature did not verify

    @property
    def passed(self) -> bool:
        held = self.own_checkpoint is None or (
            self.verification is not None
            and self.verification.matched is not None
            and self.verification.matched.last_id >= self.own_checkpoint.last_id
        )
        return (
            self.verification is not None
            and self.verification.intact
            and held
            and not self.rejected
            and not self.undecryptable
        )


def _restore(url: URL, dump: Path, name: str) -> URL:
    target = url.set(database=name)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    args, env = _libpq(url)
    # No owners or grants from the source: the copy belongs to whoever runs the drill.
    command = [_tool("pg_restore"), *args, "--no-owner", "--no-privileges", "--exit-on-error"]
    _run([*command, "--dbname", name, str(dump)], env)
    return target


def drop_database(url: URL) -> None:
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()


def _own_checkpoint(dump: Path, key: bytes) -> chain.Checkpoint | None:
    path = dump.with_suffix(CHECKPOINT_SUFFIX)
    if not path.exists():
        return None
    lines = path.read_text(encoding="ascii").splitlines()
    found = checkpoint_lines.read_lines(key, lines, source=str(path))
    return found[-1] if found else None


def _verify(app: Flask, session: Session, report: DrillReport) -> None:
    key = chain.chain_key()
    head_id, _ = chain.latest_row(session)
    try:
        report.own_checkpoint = _own_checkpoint(report.backup, key)
        published, _read = checkpoints.stored_checkpoints(app)
    except checkpoint_lines.CheckpointRejected as rejected:
        # Signed under another key, or altered: nothing it says can be relied on.
        report.rejected = str(rejected)
        published = []
    within = [c for c in published if head_id is not None and c.last_id <= head_id]
    if report.own_checkpoint:
        within.append(report.own_checkpoint)
    report.checkpoints_compared = len(within)
    report.verification = chain.verify(session, key=key, checkpoints=within)


def _decrypt_everything(session: Session, report: DrillReport) -> None:
    for place in encrypted_columns():
        opened = failed = 0
        query = select(place.row_id, place.column).where(place.column.is_not(None))
        for row_id, stored in session.execute(query.execution_options(yield_per=BATCH)):
            try:
                crypto.decrypt(
                    stored, table=place.bound_table, column=place.bound_column, row_id=row_id
                )
                opened += 1
            except crypto.DecryptionError:
                failed += 1
        report.decrypted[place.label] = opened
        if failed:
            report.undecryptable[place.label] = failed


def _count(session: Session, report: DrillReport) -> None:
    for table in Base.metadata.sorted_tables:
        report.rows[table.name] = session.scalar(select(func.count()).select_from(table))
    if session.get_bind().dialect.name == "postgresql":
        # Each row's partition is its tableoid; a month without rows is not listed.
        report.partitions = dict(
            session.execute(
                text(
                    "SELECT c.relname, count(*) FROM audit_events e "
                    "JOIN pg_class c ON c.oid = e.tableoid GROUP BY c.relname ORDER BY c.relname"
                )
            ).all()
        )


def restore_drill(app: Flask, dump: Path | None = None, *, keep: bool = False) -> DrillReport:
    """Restore a dump (the newest by default) into a fresh database and check it all."""
    url = _database_url(app)
    dump = dump or latest_backup(backup_dir(app))
    name = f"{url.database}_drill_{datetime.now(UTC):%Y%m%d%H%M%S}"
    report = DrillReport(backup=dump, database=name)
    target = _restore(url, dump, name)
    engine = create_engine(target)
    try:
        with Session(bind=engine) as session:
            _verify(app, session, report)
            _decrypt_everything(session, report)
            _count(session, report)
    finally:
        engine.dispose()
        if not keep:
            drop_database(target)
    return report


# Commands ------------------------------------------------------------------------------------

backup_cli = AppGroup("backup", help="Backups with pg_dump, and the restore drill.")


@backup_cli.command("create")
@click.option("--folder", type=click.Path(file_okay=False, path_type=Path), default=None)
def create_command(folder):
    """Dump the database with pg_dump (custom format) and the audit chain's head beside it."""
    try:
        dump = create_backup(current_app, folder)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backup written: {dump} ({dump.stat().st_size:,} bytes)")


def echo_report(report: DrillReport) -> None:
    result = report.verification
    click.echo(f"Restored {report.backup.name} into {report.database}.")
    if result.broken_id is not None:
        click.echo(f"Audit chain BROKEN at row id {result.broken_id}.")
    elif result.gap is not None:
        click.echo(describe_gap(result.gap))
    else:
        click.echo(f"Audit chain intact: {result.rows} rows.")
    if report.own_checkpoint:
        own = report.own_checkpoint
        holds = result.matched is not None and result.matched.last_id >= own.last_id
        click.echo(
            f"The backup's checkpoint ({own.rows} rows up to row id {own.last_id}): "
            + ("held." if holds else "NOT held.")
        )
    else:
        click.echo("The backup has no checkpoint of its own (the log was empty).")
    if report.rejected:
        click.echo(f"Audit checkpoint REJECTED: {report.rejected}.")
    click.echo(f"Checkpoints compared: {report.checkpoints_compared}.")
    opened = sum(report.decrypted.values())
    failed = sum(report.undecryptable.values())
    click.echo(f"Encrypted fields opened: {opened:,} in {len(report.decrypted)} columns.")
    for label, count in sorted(report.undecryptable.items()):
        click.echo(f"  {label}: {count:,} values DO NOT OPEN")
    if failed:
        click.echo(f"Encrypted fields that do not open: {failed:,}.")
    click.echo("Rows:")
    for name, count in report.rows.items():
        click.echo(f"  {name:<40} {count:>12,}")
    for name, count in report.partitions.items():
        click.echo(f"  {PARTITION_SCHEMA + '.' + name:<40} {count:>12,}")
    click.echo("Restore drill PASSED." if report.passed else "Restore drill FAILED.")


@backup_cli.command("restore-drill")
@click.option("--backup", "dump", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--keep", is_flag=True, help="Leave the restored copy for a look")
def restore_drill_command(dump, keep):
    """Restore the newest backup into a fresh database, verify the audit chain against its
    checkpoint, open every encrypted field and print the counts; exit 1 if anything failed."""
    try:
        report = restore_drill(current_app, dump, keep=keep)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    echo_report(report)
    if not report.passed:
        raise SystemExit(1)
