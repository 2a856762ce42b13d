"""Gunicorn's settings for Caseflow: `gunicorn wsgi:app` reads this file from the working folder.

Each worker is a separate process with its own database pool and nothing kept between requests
that another server would need (sessions are rows in the database, throttles and checkpoints in
PostgreSQL or Redis), so servers can be added behind a load balancer (docs/scaling.md).
Every value can be set from the environment without editing this file.
"""

import gc
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Requests are mostly waiting on PostgreSQL: two workers a core, plus one.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# The application is loaded once, in the master, and each worker is a fork of it: importing
# Caseflow costs about 1.5 s of CPU and compiling its templates about 1 s more, which five
# workers would otherwise each pay at every start and every replacement (max_requests), on the
# same cores that are answering requests. The master opens no database connection; each worker
# drops any it inherited all the same (post_fork).
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") == "1"
# A request still running after this long is ended and its worker replaced; its transaction is
# rolled back by PostgreSQL when the connection closes, so no half change is kept.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Workers are replaced now and then, so nothing a long-lived process gathers can grow unbounded.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
# Gunicorn's access log writes the whole URL with its query string: Caseflow writes its own
# request line instead (caseflow.logs: the route's pattern, status and time, with the request id).
accesslog = None
# The load balancer in front sets X-Forwarded-Proto; only trust it from there.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")


def when_ready(server) -> None:
    """Before the first worker is forked: compile every template in the master, so no worker
    compiles one while a person waits, and every replacement starts with them compiled; then
    leave all the master holds out of garbage collection."""
    if preload_app:
        from caseflow.templating import compile_all

        compile_all(server.app.wsgi())
        # What the master holds now (modules, the app, compiled templates) lives as long as the
        # workers do: frozen, the collector no longer walks it in a worker's full collections,
        # and does not write to the memory pages the workers share with the master.
        gc.collect()
        gc.freeze()


# A request makes and drops tens of thousands of objects (rows, expressions, template output).
# At Python's default of 700 new objects the collector ran about 5.5% of the processor time of
# the main pages (measured in-process); at 10,000, with the master's objects frozen, 2.6%.
GC_THRESHOLD = int(os.environ.get("GUNICORN_GC_THRESHOLD", "10000"))


def post_fork(server, worker) -> None:
    """A worker collects garbage at GC_THRESHOLD, and never uses a connection it was forked
    with: the master's pools are emptied without closing what they hold (that would close the
    master's sockets too)."""
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    if not preload_app:
        return
    from caseflow.extensions import db
    from caseflow.reporting_db import replica_engine

    app = server.app.wsgi()
    with app.app_context():
        engines = [*db.engines.values(), replica_engine(app)]
    for engine in filter(None, engines):
        engine.dispose(close=False)


# Gunicorn's own lines (workers started, killed, timed out) as JSON too, like the application's.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        }
    },
    "loggers": {
        "gunicorn.error": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
    # Gunicorn merges this dict over its defaults one key deep: its root logger names a
    # "console" handler that the handlers above replace, and without a root of our own it
    # refuses to start ("Unable to configure root logger"). The root gets no handler here:
    # the application gives it its own JSON one, which adds the request id (caseflow.logs), so
    # each line is written once.
    "root": {"handlers": [], "level": "INFO"},
}
