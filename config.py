"""Configuration for Caseflow, chosen by the CASEFLOW_ENV environment variable.

Keys never live in the database or the repository. They come from the environment, or from a
JSON key file named by CASEFLOW_KEY_FILE. Development creates a key file in the instance folder
on first run; production refuses to start without every key and a database URL.
"""

import base64
import json
import os
import secrets
import tempfile
from pathlib import Path

INSTANCE_DIR = Path(os.environ.get("CASEFLOW_INSTANCE_DIR", Path(__file__).parent / "instance"))


class ConfigurationError(RuntimeError):
    """Raised when Caseflow is started without something it cannot run safely without."""


def _decode_key(text: str, name: str) -> bytes:
    try:
        key = base64.b64decode(text, validate=True)
    except ValueError as exc:
        raise ConfigurationError(f"{name} is not valid base64") from exc
    if len(key) != 32:
        raise ConfigurationError(f"{name} must be 32 bytes (256 bits)")
    return key


def parse_field_keys(text: str) -> dict[str, bytes]:
    """Parse 'id:base64,id:base64'. The first key is the one new values are written with."""
    keys: dict[str, bytes] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        key_id, _, encoded = part.partition(":")
        if not key_id.isalnum() or not encoded:
            raise ConfigurationError("CASEFLOW_FIELD_KEYS entries must look like 'k1:<base64>'")
        keys[key_id] = _decode_key(encoded, f"field key {key_id}")
    return keys


def new_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def create_key_file(path: Path) -> None:
    """Write a fresh key file readable only by its owner (development and tests)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    content = {
        "secret_key": secrets.token_urlsafe(48),
        "field_keys": {"k1": new_key()},
        "blind_index_key": new_key(),
        "audit_chain_key": new_key(),
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(content, handle, indent=2)


def load_keys(key_file: Path | None) -> dict:
    """Keys from the environment first, then from the key file."""
    from_file: dict = {}
    if key_file and key_file.exists():
        from_file = json.loads(key_file.read_text())
    field_keys_text = os.environ.get("CASEFLOW_FIELD_KEYS")
    if field_keys_text:
        field_keys = parse_field_keys(field_keys_text)
    else:
        field_keys = {
            key_id: _decode_key(value, f"field key {key_id}")
            for key_id, value in from_file.get("field_keys", {}).items()
        }
    index_text = os.environ.get("CASEFLOW_BLIND_INDEX_KEY") or from_file.get("blind_index_key")
    chain_text = os.environ.get("CASEFLOW_AUDIT_CHAIN_KEY") or from_file.get("audit_chain_key")
    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY") or from_file.get("secret_key"),
        "FIELD_KEYS": field_keys,
        "BLIND_INDEX_KEY": _decode_key(index_text, "blind index key") if index_text else None,
        "AUDIT_CHAIN_KEY": _decode_key(chain_text, "audit chain key") if chain_text else None,
    }


def email_settings() -> dict:
    """Where set-up emails go and the address their links point at, from the environment."""
    return {
        "NOTIFY_API_KEY": os.environ.get("NOTIFY_API_KEY"),
        "NOTIFY_SETUP_TEMPLATE_ID": os.environ.get("NOTIFY_SETUP_TEMPLATE_ID"),
        "BASE_URL": os.environ.get("CASEFLOW_BASE_URL"),
    }


class Config:
    ENV_NAME = "base"
    # hide_parameters: SQL parameters (what people typed, staff emails) never reach a log line.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}
    SESSION_COOKIE_NAME = "__Host-caseflow"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_IDLE_MINUTES = 30
    SESSION_ABSOLUTE_HOURS = 12
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the server-side session
    MAX_CONTENT_LENGTH = 1024 * 1024
    PASSWORD_HASH = {"time_cost": 3, "memory_cost": 65536, "parallelism": 2}
    DEMO_DATA_ALLOWED = True
    SERVICE_NAME = "Caseflow"
    # The audit chain's head is published (caseflow.audit.checkpoints) to the application log,
    # this file and Redis when REDIS_URL is set: every so many rows, and at least every so many
    # minutes while the log grows.
    AUDIT_CHECKPOINT_EVERY_ROWS = 1000
    AUDIT_CHECKPOINT_EVERY_MINUTES = 5
    AUDIT_CHECKPOINT_FILE = str(INSTANCE_DIR / "audit-checkpoints.jsonl")
    # Email (set-up links): written to one file per message in the outbox folder, except in
    # production, which sends through GOV.UK Notify (caseflow.notify).
    EMAIL_DELIVERY = "outbox"
    OUTBOX_DIR = str(INSTANCE_DIR / "outbox")
    # "json": one JSON object a line with the request id (caseflow.logs); "text": Python's own.
    LOG_FORMAT = "text"

    @classmethod
    def load(cls) -> dict:
        """Settings as a dict, with keys resolved; subclasses decide what is required."""
        settings = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
        settings.update(load_keys(cls.key_file()))
        settings.update(email_settings())
        settings["REDIS_URL"] = os.environ.get("REDIS_URL")
        # A streaming replica for reporting reads (caseflow.reporting_db); none: the primary.
        settings["DATABASE_REPLICA_URL"] = os.environ.get("DATABASE_REPLICA_URL")
        settings["LOG_FORMAT"] = os.environ.get("CASEFLOW_LOG_FORMAT", settings["LOG_FORMAT"])
        settings["AUDIT_CHECKPOINT_FILE"] = os.environ.get(
            "CASEFLOW_AUDIT_CHECKPOINT_FILE", settings["AUDIT_CHECKPOINT_FILE"]
        )
        return settings

    @classmethod
    def key_file(cls) -> Path | None:
        named = os.environ.get("CASEFLOW_KEY_FILE")
        return Path(named) if named else None


class DevelopmentConfig(Config):
    ENV_NAME = "development"

    @classmethod
    def key_file(cls) -> Path:
        path = super().key_file() or INSTANCE_DIR / "keys.json"
        if not path.exists():
            create_key_file(path)
        return path

    @classmethod
    def load(cls) -> dict:
        settings = super().load()
        default_db = f"sqlite:///{INSTANCE_DIR / 'caseflow.db'}"
        settings["SQLALCHEMY_DATABASE_URI"] = os.environ.get("DATABASE_URL", default_db)
        return settings


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    # Tests see the error page a person would see, not a re-raised exception.
    PROPAGATE_EXCEPTIONS = False
    # One fast argon2id setting for the suite; a single test checks the production parameters.
    PASSWORD_HASH = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}
    # Small, so the suite publishes checkpoints; no file shared between tests that roll back
    # (a test that needs one names its own).
    AUDIT_CHECKPOINT_EVERY_ROWS = 5
    AUDIT_CHECKPOINT_EVERY_MINUTES = 1
    AUDIT_CHECKPOINT_FILE = None

    @classmethod
    def load(cls) -> dict:
        settings = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
        settings.update(
            SECRET_KEY=secrets.token_urlsafe(32),
            FIELD_KEYS={"t1": secrets.token_bytes(32)},
            BLIND_INDEX_KEY=secrets.token_bytes(32),
            AUDIT_CHAIN_KEY=secrets.token_bytes(32),
            SQLALCHEMY_DATABASE_URI=os.environ.get("TEST_DATABASE_URL", "sqlite://"),
            # Each run's emails in a folder of its own (made at the first one), never the
            # developer's outbox.
            OUTBOX_DIR=str(Path(tempfile.gettempdir()) / f"caseflow-test-outbox-{os.getpid()}"),
            NOTIFY_API_KEY=None,
            NOTIFY_SETUP_TEMPLATE_ID=None,
            BASE_URL="http://localhost",
        )
        return settings


class ProductionConfig(Config):
    ENV_NAME = "production"
    DEMO_DATA_ALLOWED = False
    EMAIL_DELIVERY = "notify"
    LOG_FORMAT = "json"

    @classmethod
    def load(cls) -> dict:
        settings = super().load()
        settings["SQLALCHEMY_DATABASE_URI"] = os.environ.get("DATABASE_URL")
        missing = [
            name
            for name, value in (
                ("DATABASE_URL", settings["SQLALCHEMY_DATABASE_URI"]),
                ("SECRET_KEY", settings["SECRET_KEY"]),
                ("CASEFLOW_FIELD_KEYS", settings["FIELD_KEYS"]),
                ("CASEFLOW_BLIND_INDEX_KEY", settings["BLIND_INDEX_KEY"]),
                ("CASEFLOW_AUDIT_CHAIN_KEY", settings["AUDIT_CHAIN_KEY"]),
                ("NOTIFY_API_KEY", settings["NOTIFY_API_KEY"]),
                ("NOTIFY_SETUP_TEMPLATE_ID", settings["NOTIFY_SETUP_TEMPLATE_ID"]),
                # Links in emails never take their host from a request's Host header.
                ("CASEFLOW_BASE_URL", settings["BASE_URL"]),
            )
            if not value
        ]
        if missing:
            raise ConfigurationError("Caseflow will not start without: " + ", ".join(missing))
        return settings


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def settings_for(name: str | None = None) -> dict:
    name = name or os.environ.get("CASEFLOW_ENV", "development")
    if name not in CONFIGS:
        raise ConfigurationError(f"Unknown CASEFLOW_ENV {name!r}")
    return CONFIGS[name].load()
