"""The embedded default stays honest: every migration applies on SQLite and a person can sign in."""

import flask_migrate
import pytest

from caseflow import demo
from caseflow.extensions import db
from tests import databases
from tests.conftest import make_test_app
from tests.helpers import csrf_token, page


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
    client = app.test_client()
    token = csrf_token(client, "/sign-in")
    response = client.post(
        "/sign-in",
        data={"email": "admin@demo.caseflow.test", "password": password, "csrf_token": token},
    )
    assert response.status_code == 302
    assert "Ash Admin (demo)" in page(client, "/", follow_redirects=True).get_text()
    assert databases.is_postgres(own_database) is False
    with app.app_context():
        db.engine.dispose()
