"""gunicorn.conf.py loads Caseflow once in the master and forks the workers from it
(PERFORMANCE.md, under load): each worker must start with every template compiled, and must
never share a database connection with the master or another worker."""

import gc
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import text

from caseflow import create_app
from caseflow.extensions import db
from caseflow.templating import compile_all

CONF = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


@pytest.fixture
def settings(monkeypatch):
    monkeypatch.delenv("GUNICORN_PRELOAD", raising=False)
    return runpy.run_path(str(CONF))


@pytest.fixture(autouse=True)
def collection_as_it_was():
    """The hooks freeze objects and change the collector's threshold in this process too."""
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


@pytest.fixture
def forked_app(tmp_path):
    """An app of its own on a file database: the hooks dispose of its pool, not the suite's."""
    return create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'master.db'}")


def server_of(app):
    return SimpleNamespace(app=SimpleNamespace(wsgi=lambda: app))


def test_the_app_is_loaded_once_in_the_master(settings):
    assert settings["preload_app"] is True


def test_a_worker_renders_without_compiling_a_template(settings, forked_app, monkeypatch):
    settings["when_ready"](server_of(forked_app))
    compiled = []
    environment = forked_app.jinja_env
    original = environment.compile
    monkeypatch.setattr(
        environment, "compile", lambda *a, **k: compiled.append(a) or original(*a, **k)
    )
    for name in environment.list_templates():
        if name.endswith(".html"):
            environment.get_template(name)
    assert compiled == []
    # The sign-in page goes through the layout, the GOV.UK template and form macros.
    assert forked_app.test_client().get("/sign-in").status_code == 200
    assert compiled == []


def test_the_master_leaves_what_it_loaded_out_of_collection(settings, forked_app):
    assert gc.get_freeze_count() == 0
    settings["when_ready"](server_of(forked_app))
    # The app and its compiled templates among the objects frozen.
    assert gc.get_freeze_count() > 100_000


def test_a_worker_collects_young_objects_less_often(settings, forked_app, monkeypatch):
    settings["post_fork"](server_of(forked_app), None)
    assert gc.get_threshold()[0] == 10_000
    monkeypatch.setenv("GUNICORN_GC_THRESHOLD", "5000")
    runpy.run_path(str(CONF))["post_fork"](server_of(forked_app), None)
    assert gc.get_threshold()[0] == 5000


def test_every_template_fits_the_cache(forked_app):
    count = compile_all(forked_app)
    assert count > 100  # Caseflow's own pages and the GOV.UK components they use
    assert len(forked_app.jinja_env.cache) == count


def test_a_worker_opens_connections_of_its_own(settings, forked_app):
    with forked_app.app_context():
        master = db.engine.connect()
        master.execute(text("SELECT 1"))
        inherited = master.connection.dbapi_connection
        master.close()  # back in the master's pool, as a connection made before forking would be
        pool_before = db.engine.pool
        assert pool_before.checkedin() == 1

    settings["post_fork"](server_of(forked_app), None)

    with forked_app.app_context():
        assert db.engine.pool is not pool_before
        with db.engine.connect() as worker:
            assert worker.connection.dbapi_connection is not inherited
        # The master's connection was let go of, not closed: its socket is the master's too.
        inherited.execute("SELECT 1")


def test_without_preloading_the_hooks_do_nothing(monkeypatch, forked_app):
    monkeypatch.setenv("GUNICORN_PRELOAD", "0")
    settings = runpy.run_path(str(CONF))
    assert settings["preload_app"] is False
    with forked_app.app_context():
        pool = db.engine.pool
    settings["when_ready"](server_of(forked_app))
    settings["post_fork"](server_of(forked_app), None)
    assert len(forked_app.jinja_env.cache) == 0
    assert gc.get_freeze_count() == 0
    with forked_app.app_context():
        assert db.engine.pool is pool
