"""The application log: one JSON object a line in production, each with the request's id.

LOG_FORMAT "json" (production's default; CASEFLOW_LOG_FORMAT=json elsewhere) puts one handler on
the root logger writing JSON lines to standard error through python-json-logger, so gunicorn's,
SQLAlchemy's and Caseflow's own lines all read the same way and a log store can search them by
field. "text" leaves logging as Python and Flask set it up (development, the test suite).

Every line written while a request is handled carries its ``request_id`` (the one sent back in
the X-Request-Id header and stored on the request's audit rows, caseflow.audit.services), so a
log line leads to the audit rows of the same request and back.

Each request also writes one ``request`` line: method, the route's pattern (``/people/<id>``,
never the path itself or its query), endpoint, status and milliseconds. Gunicorn's own access log
is switched off (gunicorn.conf.py) because it writes the whole URL with its query string.

Nothing personal is logged by design rather than by filtering: SQL parameters are hidden
(config.py, ``hide_parameters``), unhandled errors are logged by class and route only
(caseflow.errors), and no Caseflow log call is given a personal value.
``tests/test_no_personal_data_in_logs.py`` runs a whole journey with every logger at DEBUG in
both formats and searches what was written.
"""

import logging
import sys
import time

from flask import Flask, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

from caseflow.audit.services import request_id

JSON = "json"
TEXT = "text"
FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"
_HANDLER_NAME = "caseflow-json"
_STARTED = "caseflow.request_started"

request_logger = logging.getLogger("caseflow.requests")


class RequestIdFilter(logging.Filter):
    """Adds the current request's id (or null outside a request) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id() if has_request_context() else None
        return True


def json_formatter() -> JsonFormatter:
    return JsonFormatter(
        FIELDS,
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        datefmt="%Y-%m-%dT%H:%M:%S%z",
        json_ensure_ascii=True,
    )


def json_handler(stream=None) -> logging.Handler:
    """A handler writing JSON lines, request id included; gunicorn.conf.py uses it too."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(json_formatter())
    handler.addFilter(RequestIdFilter())
    return handler


def use_json_logs(level: int = logging.INFO) -> logging.Handler:
    """Give the root logger the JSON handler (once per process); the handler."""
    root = logging.getLogger()
    for handler in root.handlers:
        if handler.get_name() == _HANDLER_NAME:
            return handler
    handler = json_handler()
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    return handler


def _route() -> str:
    return request.url_rule.rule if request.url_rule else "(no route)"


def init_app(app: Flask) -> None:
    if app.config.get("LOG_FORMAT") == JSON:
        use_json_logs()
        # Flask's own handler would write each of its lines a second time, as text.
        from flask.logging import default_handler

        app.logger.removeHandler(default_handler)
    if request_logger.level == logging.NOTSET:
        request_logger.setLevel(logging.INFO)

    @app.before_request
    def _note_start() -> None:
        g.setdefault(_STARTED, time.perf_counter())

    @app.after_request
    def _log_request(response):
        started = g.get(_STARTED)
        request_logger.info(
            "request",
            extra={
                "method": request.method,
                "route": _route(),
                "endpoint": request.endpoint,
                "status": response.status_code,
                "ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
            },
        )
        return response
