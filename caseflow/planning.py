"""How PostgreSQL plans the rest of a request's statements, where a list knows better than its
default. (What every connection takes is ``extensions.PLANNER_SETTINGS``.)

The driver prepares a statement run often on one connection, and PostgreSQL then chooses, by
its estimates, between planning it afresh for each run's values (a custom plan) and planning it
once for any values (a generic plan). Each of these is PostgreSQL only and lasts to the end of
the request's transaction (SET LOCAL); it is one statement more.
"""

from sqlalchemy import text

from caseflow.extensions import db

# session.info: the innermost transaction (a savepoint, if one is open) and the mode set in it,
# so a page of two lists sets it once; a savepoint rolled back undoes its SET LOCAL, and the
# transaction after it is another, so the mode is set again.
_SET = "caseflow.plan_cache_mode"


def _innermost(session):
    return session.get_nested_transaction() or session.get_transaction()


def _plan_rest(mode: str) -> None:
    session = db.session()  # the request's own session, not its scoped proxy
    if session.get_bind().dialect.name != "postgresql":
        return
    transaction = _innermost(session)
    if transaction is None or session.info.get(_SET) != (transaction, mode):
        session.execute(text(f"SET LOCAL plan_cache_mode = {mode}"))
        session.info[_SET] = (_innermost(session), mode)


def custom_plans() -> None:
    """Plan each statement for its own values: for a unit's release list, a plan made once for
    any values starts from every release in the country in the list's dates and keeps the
    unit's people, where the values show that the unit's own people are few and are the place
    to start (measured at 25,000 releases: 40 ms against 2)."""
    _plan_rest("force_custom_plan")


def generic_plans() -> None:
    """Plan each statement once for any values: for the pathway lists, whose scope conditions
    (a dozen correlated EXISTS) cost PostgreSQL more to plan than to run on every request and
    whose plan does not turn on the viewer's values (measured in process on the demo data: the
    dual diagnosis list 8.5 ms of PostgreSQL CPU a request with a plan each time, 2.8 ms once
    planned)."""
    _plan_rest("force_generic_plan")
