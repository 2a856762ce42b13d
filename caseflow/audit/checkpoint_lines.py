"""A checkpoint as one signed line of text: written the same way to the application log, the
checkpoint file and Redis, and read back from any of them or from a log store's export (plain
lines or JSON records), refusing a line whose signature does not verify."""

import hashlib
import hmac
import json
from collections.abc import Iterable
from datetime import datetime

from caseflow.audit.chain import Checkpoint
from caseflow.dates import as_utc

FORMAT = 1
LOG_MARKER = "audit checkpoint "
# Keeps a checkpoint's signature apart from any row's seal made with the same key.
SIGNING_CONTEXT = b"caseflow audit checkpoint\n"


# The signed line ------------------------------------------------------------------------------


def _fields(checkpoint: Checkpoint) -> dict:
    return {
        "v": FORMAT,
        "rows": checkpoint.rows,
        "last_id": checkpoint.last_id,
        "last_hash": checkpoint.last_hash,
        "at": as_utc(checkpoint.at).isoformat(timespec="microseconds"),
    }


def _signature(key: bytes, fields: dict) -> str:
    message = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hmac.new(key, SIGNING_CONTEXT + message.encode("ascii"), hashlib.sha256).hexdigest()


def signed_line(key: bytes, checkpoint: Checkpoint) -> str:
    fields = _fields(checkpoint)
    return json.dumps({**fields, "signature": _signature(key, fields)}, sort_keys=True)


class CheckpointRejected(ValueError):
    """A line that should be a checkpoint is unreadable, or its signature does not verify."""

    def __init__(self, source: str, line_number: int | None, reason: str):
        self.source, self.line_number, self.reason = source, line_number, reason
        where = f"line {line_number} of {source}" if line_number else source
        super().__init__(f"{where} {reason}")


def parse_line(key: bytes, text: str, *, source: str, line_number: int | None) -> Checkpoint:
    unreadable = CheckpointRejected(source, line_number, "is not a checkpoint Caseflow wrote")
    try:
        data = json.loads(text)
        fields = {
            "v": data["v"],
            "rows": data["rows"],
            "last_id": data["last_id"],
            "last_hash": data["last_hash"],
            "at": data["at"],
        }
        signature = data["signature"]
        checkpoint = Checkpoint(
            rows=int(fields["rows"]),
            last_id=int(fields["last_id"]),
            last_hash=str(fields["last_hash"]),
            at=as_utc(datetime.fromisoformat(fields["at"])),
        )
    except (ValueError, KeyError, TypeError) as error:
        raise unreadable from error
    if fields["v"] != FORMAT or not isinstance(signature, str):
        raise unreadable
    if not hmac.compare_digest(_signature(key, fields), signature):
        raise CheckpointRejected(
            source, line_number, "is not signed with the audit chain key: forged or altered"
        )
    return checkpoint


def _after_marker(text: str) -> str | None:
    at = text.find(LOG_MARKER)
    return text[at + len(LOG_MARKER) :].strip() if at >= 0 else None


def checkpoint_text(line: str) -> str | None:
    """The checkpoint in a line of the checkpoint file or of an exported log, if there is one.

    A line is a checkpoint itself (the file), plain text with ``audit checkpoint {...}`` in it,
    or a log store's JSON record with that text in one of its values.
    """
    line = line.strip()
    if not line.startswith("{"):
        return _after_marker(line)
    try:
        record = json.loads(line)
    except ValueError:
        return line  # a damaged line of the file: parse_line says so
    if isinstance(record, dict) and "last_hash" not in record:
        texts = (value for value in record.values() if isinstance(value, str))
        return next(filter(None, map(_after_marker, texts)), None)
    return line


def read_lines(key: bytes, lines: Iterable[str], *, source: str) -> list[Checkpoint]:
    """Every checkpoint in the lines; raises CheckpointRejected at the first bad one."""
    found = []
    for number, line in enumerate(lines, start=1):
        text = checkpoint_text(line)
        if text:
            found.append(parse_line(key, text, source=source, line_number=number))
    return found
