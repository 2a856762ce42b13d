"""Re-encrypting personal fields under the current key: ``flask keys rotate``.

The operator puts a new key first in CASEFLOW_FIELD_KEYS (old keys kept after it) and restarts
the app, so new writes use it. ``flask keys rotate`` counts the values still under older keys;
with ``--apply`` it re-encrypts them:

- Columns are found from the mapped classes: every ``Encrypted`` attribute of every class in the
  registry of ``caseflow.models.Base``. A new encrypted field is covered without editing this file.
- A value is opened and sealed again with ``crypto.decrypt`` and ``crypto.encrypt``, with the same
  table, column and row id the model binds, so the result is exactly what the model would write.
- Work goes in batches, each committed on its own with one audit row. Only values not yet on the
  current key are selected, so an interruption loses at most one batch and a re-run resumes.
- Each update is conditional on the value read, so a value someone changes meanwhile is kept as
  they wrote it. The row's version and ``updated_at`` are left alone: its content has not changed.
- Where the database refuses the update (``break_glass_grants`` and ``break_glass_reviews`` are
  append-only, guarded by triggers; in production the app's role also lacks UPDATE on them), the
  values stay on their key and are reported. Triggers are never disabled for this: that key
  stays configured, for reading only, while those rows exist.
- A value that does not open (a key missing from the configuration, or altered bytes) is skipped
  and reported, and the command exits with status 1.

Finally the command names the old key ids still in use. A key may be retired when none is.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import click
from flask.cli import AppGroup
from sqlalchemy import Column, Table, and_, case, func, select, update
from sqlalchemy.exc import DBAPIError

from caseflow.audit.services import record
from caseflow.extensions import db
from caseflow.models import Base
from caseflow.security import crypto

DEFAULT_BATCH_SIZE = 500


def _refused(error: DBAPIError) -> bool:
    """Whether the database refused the change: a trigger, or a role without UPDATE."""
    original = error.orig
    # PostgreSQL: insufficient_privilege, raised by the append-only trigger and by a missing GRANT.
    if getattr(original, "sqlstate", None) == "42501":
        return True
    return getattr(original, "sqlite_errorname", None) == "SQLITE_CONSTRAINT_TRIGGER"


@dataclass(frozen=True)
class EncryptedColumn:
    """One database column holding encrypted values, and the place its values are bound to."""

    table: Table
    column: Column
    row_id: Column
    bound_table: str  # the table name in the associated data (the model's __tablename__)
    bound_column: str  # the column name in the associated data (the attribute's name)

    @property
    def label(self) -> str:
        return f"{self.table.name}.{self.column.name}"


def encrypted_columns() -> list[EncryptedColumn]:
    """Every column behind an ``Encrypted`` attribute, on every mapped class."""
    found: dict[tuple[str, str], EncryptedColumn] = {}
    for mapper in Base.registry.mappers:
        cls = mapper.class_
        for klass in cls.__mro__:
            for name, attribute in vars(klass).items():
                if not isinstance(attribute, crypto.Encrypted):
                    continue
                column = mapper.get_property(attribute.column_attr).columns[0]
                row_id = mapper.get_property("id").columns[0]
                place = EncryptedColumn(
                    table=column.table,
                    column=column,
                    row_id=row_id,
                    bound_table=cls.__tablename__,
                    bound_column=name,
                )
                found.setdefault((column.table.name, column.name), place)
    return [found[key] for key in sorted(found)]


def _prefix(key_id: str) -> str:
    return f"{crypto.VERSION}.{key_id}."


def _on_key(place: EncryptedColumn, key_id: str):
    # substr rather than LIKE: exact and case-sensitive on PostgreSQL and SQLite alike.
    prefix = _prefix(key_id)
    return func.substr(place.column, 1, len(prefix)) == prefix


def key_counts(place: EncryptedColumn, key_ids) -> dict[str, int]:
    """Values in the column under each configured key id, and under none ("unknown")."""
    key_ids = list(key_ids)
    sums = [func.coalesce(func.sum(case((_on_key(place, k), 1), else_=0)), 0) for k in key_ids]
    row = db.session.execute(select(func.count(place.column), *sums).select_from(place.table)).one()
    counts = {key_id: int(count) for key_id, count in zip(key_ids, row[1:], strict=True)}
    counts["unknown"] = int(row[0]) - sum(counts.values())
    return counts


def unknown_key_ids(place: EncryptedColumn, key_ids, sample: int = 1000) -> set[str]:
    """Key ids named by values under no configured key (from a sample of them)."""
    conditions = [place.column.is_not(None), *(~_on_key(place, k) for k in key_ids)]
    values = db.session.scalars(select(place.column).where(and_(*conditions)).limit(sample))
    return {(value.split(".", 2)[1] if value.count(".") >= 2 else "?") for value in values}


@dataclass
class BatchResult:
    selected: int = 0
    rotated: int = 0
    changed_meanwhile: int = 0
    unreadable: list = field(default_factory=list)
    refused: str | None = None
    last_id: uuid.UUID | None = None


def rotate_batch(
    place: EncryptedColumn, *, after_id: uuid.UUID | None, batch_size: int
) -> BatchResult:
    """Re-encrypt up to batch_size values not on the current key, after after_id, and commit."""
    current = crypto.key_ring().current_id
    query = (
        select(place.row_id, place.column)
        .where(place.column.is_not(None), ~_on_key(place, current))
        .order_by(place.row_id)
        .limit(batch_size)
    )
    if after_id is not None:
        query = query.where(place.row_id > after_id)
    rows = db.session.execute(query).all()
    result = BatchResult(selected=len(rows), last_id=rows[-1][0] if rows else after_id)
    # Setting updated_at to itself keeps its onupdate default from firing.
    unchanged = {c: c for c in place.table.columns if c.onupdate is not None}
    bound = {"table": place.bound_table, "column": place.bound_column}
    try:
        with db.session.begin_nested():
            for row_id, stored in rows:
                try:
                    plaintext = crypto.decrypt(stored, row_id=row_id, **bound)
                except crypto.DecryptionError:
                    result.unreadable.append(row_id)
                    continue
                sealed = crypto.encrypt(plaintext, row_id=row_id, **bound)
                outcome = db.session.execute(
                    update(place.table)
                    .where(place.row_id == row_id, place.column == stored)
                    .values({place.column: sealed, **unchanged})
                )
                if outcome.rowcount == 1:
                    result.rotated += 1
                else:
                    result.changed_meanwhile += 1
    except DBAPIError as error:
        if not _refused(error):
            raise
        message = str(getattr(error, "orig", error)).strip().splitlines()
        result.refused = message[0] if message else type(error).__name__
        result.rotated = result.changed_meanwhile = 0
        result.unreadable = []
        return result
    if result.rotated:
        record(
            "update",
            entity_type="encrypted_column",
            purpose="key_rotation",
            detail={
                "table": place.table.name,
                "column": place.column.name,
                "values": result.rotated,
                "key": current,
            },
        )
    db.session.commit()
    return result


@dataclass
class ColumnReport:
    rotated: int = 0
    unreadable: list = field(default_factory=list)
    refused: str | None = None


def rotate_column(
    place: EncryptedColumn,
    *,
    batch_size: int,
    progress: Callable[[str], None],
    pending: int | None = None,
) -> ColumnReport:
    """Rotate one column batch by batch, until no value under an old key is left to try."""
    of = f" of {pending}" if pending is not None else ""
    report = ColumnReport()
    after_id = None
    while True:
        batch = rotate_batch(place, after_id=after_id, batch_size=batch_size)
        if batch.refused:
            report.refused = batch.refused
            progress(f"{place.label}: the database refused the update ({batch.refused})")
            return report
        report.rotated += batch.rotated
        report.unreadable.extend(batch.unreadable)
        if batch.selected:
            note = f", {len(batch.unreadable)} unreadable" if batch.unreadable else ""
            progress(f"{place.label}: {report.rotated}{of} re-encrypted{note}")
        if batch.selected < batch_size:
            return report
        after_id = batch.last_id


keys_group = AppGroup("keys", help="Field encryption keys.")


@keys_group.command("rotate")
@click.option(
    "--batch-size",
    default=DEFAULT_BATCH_SIZE,
    show_default=True,
    type=click.IntRange(min=1),
    help="Values re-encrypted and committed together",
)
@click.option("--apply", is_flag=True, help="Re-encrypt; without this, only count")
def rotate_command(batch_size, apply):
    """Re-encrypt every value under an old key with the first key in CASEFLOW_FIELD_KEYS.

    A dry run by default. Each batch commits on its own; run it again to resume.
    """
    ring = crypto.key_ring()
    current = ring.current_id
    old_ids = [key_id for key_id in ring.keys if key_id != current]
    places = encrypted_columns()
    click.echo(f"Current key: {current}. Older keys configured: {', '.join(old_ids) or 'none'}.")

    before = {place.label: key_counts(place, ring.keys) for place in places}
    pending = {label: sum(counts.values()) - counts[current] for label, counts in before.items()}
    for label, counts in before.items():
        if pending[label]:
            click.echo(f"{label}: {pending[label]} on old keys ({_describe(counts, current)})")
    click.echo(f"{sum(pending.values())} values on old keys in {len(places)} encrypted columns.")

    failed = False
    if apply:
        left: dict[str, str] = {}
        rotated = 0
        for place in places:
            if not pending[place.label]:
                continue
            report = rotate_column(
                place, batch_size=batch_size, progress=click.echo, pending=pending[place.label]
            )
            rotated += report.rotated
            if report.refused:
                left[place.label] = report.refused
            if report.unreadable:
                failed = True
                shown = ", ".join(str(row_id) for row_id in report.unreadable[:5])
                more = " ..." if len(report.unreadable) > 5 else ""
                click.echo(
                    f"{place.label}: {len(report.unreadable)} values do not decrypt and were "
                    f"left as they are (rows {shown}{more})",
                    err=True,
                )
        click.echo(f"Re-encrypted {rotated} values with key {current}.")
        for label, reason in left.items():
            click.echo(f"{label}: left on its keys; the database refuses updates ({reason})")
    else:
        click.echo("Dry run: nothing changed. Run with --apply to re-encrypt.")

    _report_keys_in_use(places, ring)
    if failed:
        raise click.ClickException("Some values could not be decrypted; see above.")


def _describe(counts: dict[str, int], current: str) -> str:
    return ", ".join(f"{key_id}: {n}" for key_id, n in counts.items() if n and key_id != current)


def _report_keys_in_use(places: list[EncryptedColumn], ring: crypto.KeyRing) -> None:
    in_use: dict[str, list[str]] = {}
    for place in places:
        counts = key_counts(place, ring.keys)
        for key_id, n in counts.items():
            if n and key_id not in (ring.current_id, "unknown"):
                in_use.setdefault(key_id, []).append(f"{place.label} ({n})")
        if counts["unknown"]:
            for key_id in sorted(unknown_key_ids(place, ring.keys)):
                in_use.setdefault(f"{key_id} (not configured)", []).append(place.label)
    retirable = [key_id for key_id in ring.keys if key_id != ring.current_id]
    for key_id, where in in_use.items():
        click.echo(f"Old key {key_id} is still in use: {', '.join(where)}")
        if key_id in retirable:
            retirable.remove(key_id)
    if not in_use:
        click.echo("No value is on an old key.")
    if retirable:
        click.echo(f"No value uses {', '.join(retirable)}: it may be retired.")
