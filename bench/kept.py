"""BENCH_KEEP=1: the files beside a kept database, so the app can serve it afterwards.

For each database the run keeps, in BENCH_KEEP_DIR (instance/bench by default; instance/ is not
committed), readable only by their owner (0600):

* ``<database>.keys.json``: the keys its rows were written with, in the key file format
  config.py reads (CASEFLOW_KEY_FILE): the field encryption key, the blind index key, the audit
  chain key and a secret key, fresh for each run (config.create_key_file).
* ``<database>.checkpoints.jsonl``: the audit checkpoints the run published, so ``flask audit
  verify`` compares the log with them.
* ``<database>.env``: the environment that serves it: ``source`` it, then ``flask --app wsgi run``
  or ``flask --app wsgi audit verify``.

A run that keeps nothing writes none of them and uses keys that are never stored.
"""

import os
import shlex
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

import config

DEFAULT_DIR = config.INSTANCE_DIR / "bench"
# Keys config.load_keys takes from the environment before the key file.
ENVIRONMENT_KEYS = (
    "CASEFLOW_FIELD_KEYS",
    "CASEFLOW_BLIND_INDEX_KEY",
    "CASEFLOW_AUDIT_CHAIN_KEY",
    "SECRET_KEY",
)


def directory() -> Path:
    return Path(os.environ.get("BENCH_KEEP_DIR", DEFAULT_DIR)).resolve()


def _write_private(path: Path, content: str) -> None:
    """A new file readable by its owner only, replacing any left by an earlier run."""
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(content)


@dataclass(frozen=True)
class Kept:
    url: str
    folder: Path

    @property
    def name(self) -> str:
        return make_url(self.url).database

    @property
    def key_file(self) -> Path:
        return self.folder / f"{self.name}.keys.json"

    @property
    def checkpoint_file(self) -> Path:
        return self.folder / f"{self.name}.checkpoints.jsonl"

    @property
    def env_file(self) -> Path:
        return self.folder / f"{self.name}.env"

    @classmethod
    def prepare(cls, url: str) -> "Kept":
        """Fresh keys and an empty checkpoint file for the database, and the file to serve it."""
        kept = cls(url, directory())
        kept.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        kept.key_file.unlink(missing_ok=True)
        config.create_key_file(kept.key_file)  # 0600, fresh keys
        _write_private(kept.checkpoint_file, "")
        variables = {
            "CASEFLOW_ENV": "development",
            "DATABASE_URL": url,
            "CASEFLOW_KEY_FILE": str(kept.key_file),
            "CASEFLOW_AUDIT_CHECKPOINT_FILE": str(kept.checkpoint_file),
        }
        lines = [
            "# The database make bench kept (BENCH_KEEP=1): source this file, then run",
            "# flask --app wsgi run (or flask --app wsgi audit verify).",
            # Keys given in the environment would win over the key file (config.load_keys).
            f"unset {' '.join(ENVIRONMENT_KEYS)}",
            *(f"export {name}={shlex.quote(value)}" for name, value in variables.items()),
        ]
        _write_private(kept.env_file, "\n".join(lines) + "\n")
        return kept

    def settings(self) -> dict:
        """The app's keys and checkpoint file, as the served app will read them."""
        given = [name for name in ENVIRONMENT_KEYS if os.environ.get(name)]
        if given:
            # They would win over the key file here, and not where the env file unsets them.
            raise SystemExit(f"bench: BENCH_KEEP=1 writes its own keys: unset {', '.join(given)}")
        keys = config.load_keys(self.key_file)
        return {**keys, "AUDIT_CHECKPOINT_FILE": str(self.checkpoint_file)}
