"""Running in production: the health check a load balancer asks, the request id and JSON logs."""

import io
import json
import logging

import pytest

from caseflow import logs
from tests.conftest import make_test_app

# Nothing listens on port 1: every connection is refused at once.
UNREACHABLE = "postgresql+psycopg://caseflow@127.0.0.1:1/caseflow?connect_timeout=2"


def test_the_health_check_answers_ok_while_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_the_health_check_answers_503_with_no_detail_when_the_database_is_down():
    app = make_test_app(UNREACHABLE)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable"}
    body = response.get_data(as_text=True)
    for detail in ("127.0.0.1", "psycopg", "OperationalError", "refused", "caseflow@"):
        assert detail not in body


@pytest.fixture
def json_lines():
    """Everything logged during the test, as the JSON handler production uses writes it."""
    stream = io.StringIO()
    handler = logs.json_handler(stream)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_each_request_writes_one_json_line_with_its_id_route_and_status(client, json_lines):
    response = client.get("/sign-in")
    [line] = [entry for entry in json_lines() if entry["message"] == "request"]
    assert line["request_id"] == response.headers["X-Request-Id"]
    assert line["route"] == "/sign-in"
    assert line["method"] == "GET"
    assert line["status"] == 200
    assert line["level"] == "INFO"
    assert line["logger"] == "caseflow.requests"
    assert isinstance(line["ms"], float)
    assert {"time", "endpoint"} <= line.keys()


def test_a_line_shows_the_routes_pattern_never_the_path_itself(sign_in, json_lines):
    team, _ = sign_in("keyworker")
    team.get("/people/00000000-0000-4000-8000-000000000000")
    [line] = [entry for entry in json_lines() if entry["message"] == "request"]
    assert "00000000-0000-4000-8000-000000000000" not in json.dumps(line)
    assert line["route"].startswith("/people/<")


def test_a_safe_incoming_request_id_is_kept_and_sent_back(client, json_lines):
    given = "lb-2f6c1a9e-7d7e-4bb5-9a51-1a2b3c4d5e6f"
    response = client.get("/sign-in", headers={"X-Request-Id": given})
    assert response.headers["X-Request-Id"] == given
    assert [e["request_id"] for e in json_lines() if e["message"] == "request"] == [given]


@pytest.mark.parametrize(
    "given",
    [
        "9434765919",  # an NHS number: too short to be an id
        "jane.smith@example.com",
        "<script>alert(1)</script>",
        "a b c d e f g h i j k l",
        "x" * 65,
        "",
    ],
)
def test_an_unsafe_incoming_request_id_is_replaced_by_one_of_our_own(client, given):
    response = client.get("/sign-in", headers={"X-Request-Id": given})
    sent_back = response.headers["X-Request-Id"]
    assert sent_back != given
    assert len(sent_back) == 32 and int(sent_back, 16) >= 0


def test_production_writes_json_logs_through_the_root_logger():
    import config

    assert config.ProductionConfig.LOG_FORMAT == "json"
    root = logging.getLogger()
    before = list(root.handlers)
    app = make_test_app("sqlite://")
    app_handlers = list(app.logger.handlers)
    try:
        assert root.handlers == before  # the test suite's text logs stay as they are
        app.config["LOG_FORMAT"] = "json"
        logs.init_app(app)
        added = [h for h in root.handlers if h not in before]
        assert [h.get_name() for h in added] == ["caseflow-json"]
        assert isinstance(added[0].formatter, logs.JsonFormatter)
        assert app.logger.handlers == []  # no second copy of each line as text
    finally:
        for handler in list(root.handlers):
            if handler not in before:
                root.removeHandler(handler)
        app.logger.handlers[:] = app_handlers
