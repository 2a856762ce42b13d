"""The embedded default stays honest: every migration applies on SQLite and a person can sign in."""

import flask_migrate
import pytest

from caseflow import demo
from caseflow.extensions import db
from tests import databases
from tests.conftest import make_test_app
from tests.helpers import current_code, page, sign_in_with_form


@pytest.fixture
def own_database(tmp_path):
    return f"sqlite:///{tmp_path / 'caseflow.db'}"


def test_sqlite_migrates_loads_demo_data_and_signs_in(own_database, tmp_path):
    app = make_test_app(own_database)
    app.instance_path = str(tmp_path)
    with app.app_context():
        flask_migrate.upgrade()
        assert demo.load(people=10) is True
        db.session.commit()
        assert demo.load(people=10) is False
        password = demo.demo_password()
    with app.app_context():
        from caseflow.auth.services import user_by_email

        code = current_code(user_by_email("admin@demo.caseflow.test"))
    client = app.test_client()
    response = sign_in_with_form(client, "admin@demo.caseflow.test", password, code)
    assert response.status_code == 302
    assert "Ash Admin (demo)" in page(client, "/", follow_redirects=True).get_text()
    assert databases.is_postgres(own_database) is False
    with app.app_context():
        db.engine.dispose()
