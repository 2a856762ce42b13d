"""Audit rows say only what the catalogue lists (SECURITY.md, Audit log: actions, record types,
purposes and outcomes come from one catalogue in code; a value outside it is a test failure)."""

import pytest
from sqlalchemy import func, select

from caseflow.audit import services as audit
from caseflow.audit.catalogue import Action, NotInCatalogue, Purpose, RecordType
from caseflow.audit.models import AuditEvent
from caseflow.extensions import db


def rows() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


@pytest.mark.parametrize(
    "fields",
    [
        {"action": "peek"},
        {"action": "view", "entity_type": "persn"},
        {"action": "view", "entity_type": "person", "purpose": "curiosity"},
        {"action": "view", "entity_type": "person", "outcome": "maybe"},
    ],
)
@pytest.mark.parametrize("writer", [audit.record, audit.record_independent])
def test_a_value_outside_the_catalogue_is_refused_and_nothing_is_written(app, writer, fields):
    before = rows()
    given = {"entity_type": "person", "outcome": "success", **fields}
    action = given.pop("action")
    with pytest.raises(NotInCatalogue):
        writer(action, **given)
    db.session.flush()
    assert rows() == before


def test_each_list_holds_what_the_design_names():
    # SECURITY.md: view, search, create, update, export, sign-in and denial; purposes caseload,
    # referral and break-glass.
    assert {"view", "search", "create", "update", "export", "sign_in", "deny"} <= set(Action)
    assert {"caseload", "referral", "break-glass"} <= set(Purpose)
    assert {"person", "referral", "custody_episode"} <= set(RecordType)


def test_a_row_from_the_catalogue_is_written(app):
    before = rows()
    audit.record(Action.VIEW, entity_type=RecordType.PAGE, purpose=Purpose.AUDIT)
    db.session.flush()
    assert rows() == before + 1
