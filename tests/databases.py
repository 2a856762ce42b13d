"""Where the suite's databases live: PostgreSQL when it can be reached, otherwise SQLite files.

Run on several processes (pytest-xdist, as ``make test`` does), each worker has a database of
its own beside the one named, made fresh when it starts and dropped when it ends, so CI still
names only one.
"""

import os
import socket
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/caseflow_local_test"


def _postgres_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


# PostgreSQL keeps the first 63 bytes of a name. Names made here stay well short of that, so
# a name the application makes from one (a restore drill's copy) still differs from it.
SCRATCH_NAME_LENGTH = 48


def suite_database_url() -> str:
    """The database the suite is named to run on, made nothing of yet: TEST_DATABASE_URL, else
    the local PostgreSQL database, else SQLite."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    if _postgres_answers():
        return LOCAL_POSTGRES
    return "sqlite://"


def main_database_url(worker: str | None = None) -> str:
    """The database this process runs the suite on, migrated later by the ``app`` fixture.

    TEST_DATABASE_URL as it is; the local PostgreSQL database made fresh; a SQLite file. A
    worker (pytest-xdist's gw0, gw1 ...) gets a fresh database beside the one named instead,
    its name ending in the worker's."""
    url = suite_database_url()
    if not is_postgres(url):
        return sqlite_file(worker or "suite")
    if worker:
        name = f"{make_url(url).database}_{worker}"
        return recreate_postgres(make_url(url).set(database=name).render_as_string(False))
    if url == LOCAL_POSTGRES:
        return recreate_postgres(url)
    return url


def is_postgres(url: str) -> bool:
    return make_url(url).get_backend_name() == "postgresql"


def sqlite_file(label: str) -> str:
    folder = Path(tempfile.mkdtemp(prefix=f"caseflow-{label}-"))
    return f"sqlite:///{folder / 'caseflow.db'}"


def recreate_postgres(url: str) -> str:
    """Drop and create the database named in url, through the server's maintenance database."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    return url


def scratch_database(base_url: str, label: str) -> str:
    """An empty database beside the main one, for tests that migrate or commit for real."""
    if is_postgres(base_url):
        base = make_url(base_url)
        stem = f"{base.database}_{label}"[: SCRATCH_NAME_LENGTH - 7]
        name = f"{stem}_{uuid.uuid4().hex[:6]}"
        return recreate_postgres(base.set(database=name).render_as_string(hide_password=False))
    return sqlite_file(label)


def drop_scratch(url: str) -> None:
    """Drop a database made here (a scratch one, or a worker's)."""
    if is_postgres(url):
        target = make_url(url)
        admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        admin.dispose()
