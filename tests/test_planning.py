"""How PostgreSQL plans the rest of a request (caseflow.planning): the pathway lists are planned
once for any values, a unit's release list for its own values, each set once a transaction and
only for that transaction."""

import pytest
from sqlalchemy import event, text

from caseflow import planning
from caseflow.extensions import db
from caseflow.pathways.dual_diagnosis import worklists as dual_diagnosis
from caseflow.security.access import Role
from tests.factories import UserFactory, provider_serving

pytestmark = pytest.mark.postgres


def plan_cache_mode() -> str:
    return db.session.scalar(text("SHOW plan_cache_mode"))


def test_a_pathway_list_is_planned_once_for_any_values(app):
    keyworker = UserFactory(role=Role.KEYWORKER, organisation=provider_serving())
    assert plan_cache_mode() == "auto"
    dual_diagnosis.show(keyworker, "due")
    assert plan_cache_mode() == "force_generic_plan"


def test_the_mode_is_set_once_a_transaction_and_ends_with_it(app):
    sets = []

    def note(_conn, _cursor, statement, *_args):
        if statement.startswith("SET LOCAL plan_cache_mode"):
            sets.append(statement)

    event.listen(db.engine, "after_cursor_execute", note)
    try:
        planning.generic_plans()
        planning.generic_plans()
        assert len(sets) == 1
        planning.custom_plans()
        assert plan_cache_mode() == "force_custom_plan"
        assert len(sets) == 2
        db.session.rollback()
        planning.generic_plans()  # a new transaction sets it again
        assert len(sets) == 3
    finally:
        event.remove(db.engine, "after_cursor_execute", note)
    db.session.rollback()
    assert plan_cache_mode() == "auto"


def test_a_mode_undone_with_its_savepoint_is_set_again(app):
    planning.generic_plans()
    savepoint = db.session.begin_nested()
    planning.custom_plans()
    assert plan_cache_mode() == "force_custom_plan"
    savepoint.rollback()
    assert plan_cache_mode() == "force_generic_plan"
    planning.custom_plans()
    assert plan_cache_mode() == "force_custom_plan"
