"""Where reporting reads go: a PostgreSQL streaming replica when DATABASE_REPLICA_URL is set, the
primary otherwise.

The continuity dashboard, its paged case lists (act now included), its downloads and the
partnership report read many rows and change none. On a replica they take no CPU, I/O or
connections from the people recording casework on the primary. Only their reads come here:
who looked at what (their audit rows) is written on the primary, through ``db.session``, like
every other write.

A replica is behind the primary by the time its WAL takes to arrive (milliseconds on one
network), so a report may miss the last moment's changes; the measure counts whole days.

Without a replica, reporting reads use the request's own session, so they see its transaction
exactly as before (the test suite's rolled-back transaction included).
"""

from flask import Flask, current_app, g
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from caseflow.extensions import db, planner_settings_on

ENGINE_KEY = "caseflow.reporting_engine"
_SESSION = "reporting_session"


def init_app(app: Flask) -> None:
    url = app.config.get("DATABASE_REPLICA_URL")
    if not url:
        return
    engine = create_engine(url, **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}))
    planner_settings_on(engine)
    app.extensions[ENGINE_KEY] = engine
    app.teardown_appcontext(_close_session)


def replica_engine(app: Flask | None = None) -> Engine | None:
    return (app or current_app).extensions.get(ENGINE_KEY)


def session() -> Session:
    """The session for reporting reads: the replica's (one per request, closed at its end) or,
    without a replica, ``db.session``. Never write through it: a hot
    standby refuses writes."""
    engine = replica_engine()
    if engine is None:
        return db.session
    if _SESSION not in g:
        g.reporting_session = Session(bind=engine, autoflush=False)
    return g.reporting_session


def _close_session(_error) -> None:
    reporting = g.pop(_SESSION, None)
    if reporting is not None:
        reporting.close()
