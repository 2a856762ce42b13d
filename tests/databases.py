"""Where the suite's databases live: PostgreSQL when it can be reached, otherwise SQLite files."""

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


def main_database_url() -> str:
    """TEST_DATABASE_URL, else a local PostgreSQL database made fresh, else a SQLite file."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    if _postgres_answers():
        return recreate_postgres(LOCAL_POSTGRES)
    return sqlite_file("suite")


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
        name = f"{base.database}_{label}_{uuid.uuid4().hex[:6]}"
        return recreate_postgres(base.set(database=name).render_as_string(hide_password=False))
    return sqlite_file(label)


def drop_scratch(url: str) -> None:
    if is_postgres(url):
        target = make_url(url)
        admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
        admin.dispose()
