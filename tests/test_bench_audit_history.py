"""`make bench`'s audit log: rows loaded in bulk must be rows the app could have written, sealed
so `flask audit verify` passes on them and on what the app writes after them, in their months'
partitions; and a kept database's keys must be private and be the keys the data was written with.
"""

import json
import os
import stat
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select, text

from bench import audit_history, bulk, kept
from caseflow.audit import catalogue, chain
from caseflow.audit.models import AuditEvent
from caseflow.audit.services import record
from caseflow.extensions import db
from tests.factories import UserFactory

ROWS = 3000


@contextmanager
def in_a_savepoint():
    """One batch's transaction, inside the test's (the bench commits each batch for real)."""
    connection = db.session.connection()
    with connection.begin_nested():
        yield connection


@pytest.fixture
def history(app):
    world = bulk.build_world()
    loader = bulk.Loader(world)
    for batch in loader.batches(loader.plan(300)):
        batch.insert(db.session.connection())
    auditor = world.auditor
    made = audit_history.History(
        actors=[audit_history.Actor(s.user_id, s.role, s.organisation_id) for s in world.everyone],
        auditors=[audit_history.Actor(auditor.user_id, auditor.role, auditor.organisation_id)],
        person_ids=[identity.person_id for identity in loader.identities],
        total=ROWS,
        now=audit_history.now(),
        seed=bulk.SEED,
    )
    made.loaded = audit_history.load(in_a_savepoint, chain.chain_key(), made)
    return made


def _bulk_rows():
    return db.session.scalars(select(AuditEvent).where(AuditEvent.request_id.is_not(None))).all()


@pytest.mark.postgres
def test_bulk_audit_rows_verify_as_a_chain_and_the_apps_next_row_follows_them(history):
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    assert history.loaded.rows == ROWS
    assert chain.verify(db.session).intact
    # The app's own next row seals onto the last bulk row: the chain's tail was left right.
    record("view", actor=UserFactory(), entity_type="page", purpose=None)
    db.session.flush()
    result = chain.verify(db.session)
    assert result.intact and result.rows == before + 1


@pytest.mark.postgres
def test_bulk_audit_rows_say_only_what_the_catalogue_lists_and_no_personal_values(history):
    rows = _bulk_rows()
    assert len(rows) >= ROWS
    for row in rows:
        catalogue.check(row.action, row.entity_type, row.purpose, row.outcome)  # raises if not
    actions = {row.action for row in rows}
    assert {"view", "list", "search", "update", "sign_in"} <= actions
    # Detail holds names, pages and counts: no identifier of a person.
    details = json.dumps([row.detail for row in rows if row.detail])
    assert not any(str(person_id) in details for person_id in history.person_ids)


@pytest.mark.postgres
def test_bulk_audit_rows_span_five_years_in_their_months_partitions(history):
    oldest, newest = db.session.execute(
        select(func.min(AuditEvent.occurred_at), func.max(AuditEvent.occurred_at))
    ).one()
    assert (newest - oldest).days > 4 * 365 + 300
    # Every month they span has a partition of its own: nothing fell into the default one.
    in_default = db.session.scalar(
        text("SELECT count(*) FROM audit_partitions.audit_events_default")
    )
    assert in_default == 0


def test_a_kept_databases_files_are_private_and_hold_the_keys_the_app_is_given(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("BENCH_KEEP_DIR", str(tmp_path))
    for name in kept.ENVIRONMENT_KEYS:
        monkeypatch.delenv(name, raising=False)
    files = kept.Kept.prepare("postgresql://postgres@127.0.0.1:5432/caseflow_kept_large")
    for path in (files.key_file, files.env_file, files.checkpoint_file):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    settings = files.settings()
    for name in ("SECRET_KEY", "FIELD_KEYS", "BLIND_INDEX_KEY", "AUDIT_CHAIN_KEY"):
        assert settings[name]
    exports = dict(
        line.removeprefix("export ").split("=", 1)
        for line in files.env_file.read_text().splitlines()
        if line.startswith("export ")
    )
    assert exports["CASEFLOW_KEY_FILE"] == str(files.key_file)
    assert exports["DATABASE_URL"].endswith("/caseflow_kept_large")
    # A second run's keys replace the first's.
    again = kept.Kept.prepare("postgresql://postgres@127.0.0.1:5432/caseflow_kept_large")
    assert again.settings()["FIELD_KEYS"] != settings["FIELD_KEYS"]
