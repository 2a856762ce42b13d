"""The schema comes only from migrations: one head, matching the models, each step reversible."""

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from caseflow.extensions import db
from tests import databases
from tests.conftest import make_test_app


@pytest.fixture(params=["main", "sqlite"])
def own_database(request, database_url):
    """An empty database of the suite's own kind (PostgreSQL in CI), and always one on SQLite."""
    base = database_url if request.param == "main" else databases.sqlite_file("base")
    url = databases.scratch_database(base, "migrations")
    yield url
    databases.drop_scratch(url)


@pytest.fixture
def scratch_app(own_database):
    app = make_test_app(own_database)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _script(app) -> ScriptDirectory:
    return ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())


def test_there_is_one_head(scratch_app):
    assert len(_script(scratch_app).get_heads()) == 1


def test_schema_at_head_matches_the_models(scratch_app):
    flask_migrate.upgrade()
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_each_revision_upgrades_and_downgrades(scratch_app):
    revisions = list(reversed(list(_script(scratch_app).walk_revisions())))
    for revision in revisions:
        flask_migrate.upgrade(revision=revision.revision)
    flask_migrate.downgrade(revision="base")
    leftover = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert leftover == set()
    for revision in revisions:
        flask_migrate.upgrade(revision=revision.revision)
        flask_migrate.downgrade(revision=revision.down_revision or "base")
        flask_migrate.upgrade(revision=revision.revision)


def test_local_authorities_cover_every_english_upper_tier_authority(app):
    from caseflow.organisations import services

    rows = services.read_local_authorities()
    assert services.local_authority_count() == len(rows) == 153
    regions = {row["region"] for row in rows}
    assert len(regions) == 9
    assert {"E08000025", "E06000026"} <= {row["ons_code"] for row in rows}
