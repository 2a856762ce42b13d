"""Flask extensions, created unbound and bound to the app in create_app."""

from collections.abc import Callable

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import event

from caseflow.models import Base

# Set in session.info while the session flushes itself before a query.
AUTOFLUSHING = "caseflow.autoflushing"
# Called with the session before each flush the code asks for, or a commit makes, and not
# before the flush a query makes for itself (caseflow.audit.held flushes the other changes
# first and then writes its held audit rows, so the chain's head is the last lock taken).
BEFORE_ASKED_FLUSH: list[Callable] = []


class Session(FlaskSession):
    """Tells the flush a session makes before each query (autoflush) from a flush or commit the
    code asks for: the audit log writes its rows only then (caseflow.audit.chain), so the lock
    that orders them is not held while a page goes on querying and rendering."""

    def _autoflush(self) -> None:
        self.info[AUTOFLUSHING] = True
        try:
            super()._autoflush()
        finally:
            self.info.pop(AUTOFLUSHING, None)

    def flush(self, objects=None) -> None:
        if not self.info.get(AUTOFLUSHING):
            for prepare in BEFORE_ASKED_FLUSH:
                prepare(self)
        super().flush(objects)


db = SQLAlchemy(model_class=Base, session_options={"class_": Session})
migrate = Migrate(compare_type=True, render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()


def planner_settings(app) -> None:
    """How PostgreSQL plans Caseflow's statements, for every connection the app opens
    (``PLANNER_SETTINGS``)."""
    with app.app_context():
        planner_settings_on(db.engine)


PLANNER_SETTINGS = (
    # The JIT compiler off: the planner's cost estimates for the measure's and the worklists'
    # correlated subqueries cross its threshold, and compiling then takes far longer than
    # running (at 25,000 releases the cohort query ran in 162 ms and spent 2.4 s more
    # compiling, make bench). No query of Caseflow runs long enough to gain from it.
    "SET jit = off",
)


def planner_settings_on(engine) -> None:
    """Every connection engine opens takes PLANNER_SETTINGS (the primary's, and a reporting
    replica's)."""
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "connect")
    def _planner_settings(dbapi_connection, _record):
        with dbapi_connection.cursor() as cursor:
            for setting in PLANNER_SETTINGS:
                cursor.execute(setting)
        dbapi_connection.commit()
