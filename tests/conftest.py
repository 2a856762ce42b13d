"""Suite-wide fixtures: one migrated database, each test in a transaction rolled back at the end.

Requests made through the test client run in a fresh context, as a real request would, on the
same database connection, so a test sees what its requests saved and nothing leaks between tests.
"""

import contextvars
import functools
import os
import tempfile

import flask_migrate
import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from sqlalchemy import event

from caseflow import create_app
from caseflow.extensions import db
from tests import databases, transactions

# The fuzz tests' ``actor`` fixture, for each package's test_fuzz_forms.py.
pytest_plugins = ["tests.fuzz"]

POSTGRES_TESTS_RUN: list[str] = []

# Hypothesis settings for every property test in the suite (SECURITY.md, Tooling).
#
# "ci": a fixed budget of examples, the same examples every run (derandomize), no deadline (a
# request on a loaded 2-core runner can take longer than Hypothesis's 200 ms default), and no
# example database written into the working tree. The tests use the suite's function-scoped
# fixtures (the rolled-back transaction, signed-in clients) across all their examples on purpose.
# Set HYPOTHESIS_PROFILE=dev for a longer, randomised local run.
FUNCTION_SCOPED = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
settings.register_profile(
    "ci",
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=FUNCTION_SCOPED,
)
settings.register_profile(
    "dev",
    max_examples=200,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=FUNCTION_SCOPED,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


class IsolatedClient(FlaskClient):
    """Each request starts from an empty context, so nothing the test pushed leaks into it."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


def _xdist_worker(config) -> str | None:
    return getattr(config, "workerinput", {}).get("workerid")


def _xdist_controller(config) -> bool:
    """Whether this process hands the tests to workers and runs none itself."""
    return _xdist_worker(config) is None and getattr(config.option, "dist", "no") != "no"


def pytest_configure(config):
    worker = _xdist_worker(config)
    if _xdist_controller(config):
        # Only the kind of database matters here (the summary); each worker makes its own.
        config.caseflow_database_url = databases.suite_database_url()
    else:
        config.caseflow_database_url = databases.main_database_url(worker)
    config.caseflow_worker_database = worker is not None


# Tests that share something only one process at a time can use, by where they live: under
# pytest-xdist's --dist loadgroup (`make test`) each group goes to one worker, which runs it in
# order. The browser tests share one live server, one Chromium and the journeys' committed data.
# (By path, not xdist_group marks: the controller that sends tests out sees only their ids.)
WORKER_GROUPS = {"tests/browser/": "browser"}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class ByGroup(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            for prefix, group in WORKER_GROUPS.items():
                if nodeid.startswith(prefix):
                    return group
            return super()._split_scope(nodeid)

    return ByGroup(config, log)


def pytest_unconfigure(config):
    if getattr(config, "caseflow_worker_database", False):
        databases.drop_scratch(config.caseflow_database_url)


def pytest_collection_modifyitems(config, items):
    if databases.is_postgres(config.caseflow_database_url):
        return
    reason = "needs PostgreSQL: set TEST_DATABASE_URL or start PostgreSQL on 127.0.0.1:5432"
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))


def pytest_runtest_logreport(report):
    # Under pytest-xdist the workers' reports come here too, on the controller, so the count
    # below is the whole run's.
    if report.when == "call" and report.passed and "postgres-backed" in report.keywords:
        POSTGRES_TESTS_RUN.append(report.nodeid)


def pytest_terminal_summary(terminalreporter, config):
    url = config.caseflow_database_url
    if databases.is_postgres(url):
        count = len(POSTGRES_TESTS_RUN)
        terminalreporter.write_line(f"Caseflow: {count} tests ran on PostgreSQL.")
    else:
        skipped = len(terminalreporter.stats.get("skipped", []))
        terminalreporter.write_line(
            f"CASEFLOW WARNING: the suite ran on SQLite; {skipped} PostgreSQL tests were SKIPPED.",
            red=True,
            bold=True,
        )


def pytest_itemcollected(item):
    if databases.is_postgres(item.config.caseflow_database_url):
        item.keywords["postgres-backed"] = True


@pytest.fixture(scope="session")
def database_url(pytestconfig) -> str:
    return pytestconfig.caseflow_database_url


def make_test_app(url: str):
    app = create_app("test", SQLALCHEMY_DATABASE_URI=url)
    app.test_client_class = IsolatedClient
    app.instance_path = _instance_folder()
    return app


@functools.cache
def _instance_folder() -> str:
    """This process's instance folder: nothing a test writes there (the demo password, backups)
    lands in the developer's instance/ or meets another worker's."""
    return tempfile.mkdtemp(prefix="caseflow-test-instance-")


def _sqlite_savepoint_support(engine) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN itself.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN")


@pytest.fixture(scope="session")
def app(database_url):
    app = make_test_app(database_url)
    with app.app_context():
        flask_migrate.upgrade()
        if not databases.is_postgres(database_url):
            db.engine.dispose()
            _sqlite_savepoint_support(db.engine)
    return app


@pytest.fixture(autouse=True)
def _transaction(request, app):
    """Every test in one outer transaction, rolled back at the end; sessions use savepoints."""
    if "browser" in request.keywords or "own_database" in request.fixturenames:
        yield
        return
    if "module_connection" in request.fixturenames:
        yield  # the module's transaction, and the test's own savepoints (tests/transactions.py)
        return
    with transactions.on_one_connection(app):
        yield


@pytest.fixture(scope="module")
def module_connection(app):
    """One rolled-back transaction for a whole module that builds its records once and shares
    them between its tests; each test undoes its own requests with ``transactions.savepoint``."""
    with transactions.on_one_connection(app) as connection:
        yield connection


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def sign_in(app):
    """sign_in(role) or sign_in(user=...): a test client with a live server-side session."""
    from tests.factories import UserFactory
    from tests.helpers import signed_in_client

    def _sign_in(role: str | None = None, *, user=None, **user_fields):
        user = user or UserFactory(role=role, **user_fields)
        return signed_in_client(app, user), user

    return _sign_in


@pytest.fixture
def own_database(request, database_url):
    """An empty database of the suite's kind for a test that commits for real (concurrency,
    triggers, roles); dropped afterwards. Tests using it skip the per-test transaction."""
    url = databases.scratch_database(database_url, request.module.__name__.rsplit(".", 1)[-1][:20])
    yield url
    databases.drop_scratch(url)


@pytest.fixture
def committed_app(own_database):
    """An app on its own migrated database, where commits are real."""
    app = make_test_app(own_database)
    with app.app_context():
        flask_migrate.upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def outbox(app, tmp_path, monkeypatch):
    """The emails this test makes, in a folder of its own (caseflow.notify writes one file each)."""
    from tests.outbox import Outbox

    folder = tmp_path / "outbox"
    monkeypatch.setitem(app.config, "OUTBOX_DIR", str(folder))
    return Outbox(folder)
