"""Field encryption and blind indexes: the one place personal values are sealed and opened.

Each value is AES-256-GCM with a random 96-bit nonce, stored as ``v1.<key id>.<payload>``. The
associated data ``v1|<key id>|<table>|<column>|<row id>`` binds a ciphertext to its place, so a
value copied into another row or column does not decrypt. Blind indexes are HMAC-SHA256 under a
separate key, over a normalised value, for exact-match search only.
"""

import base64
import hashlib
import hmac
import os
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

VERSION = "v1"
NONCE_BYTES = 12


class DecryptionError(Exception):
    """A stored value could not be opened: wrong place, unknown key or altered bytes."""


@dataclass(frozen=True)
class KeyRing:
    keys: dict[str, bytes]
    current_id: str
    index_key: bytes

    @classmethod
    def from_config(cls, config) -> "KeyRing":
        keys = config["FIELD_KEYS"]
        return cls(
            keys=dict(keys), current_id=next(iter(keys)), index_key=config["BLIND_INDEX_KEY"]
        )


def key_ring() -> KeyRing:
    return KeyRing.from_config(current_app.config)


@lru_cache(maxsize=32)
def _cipher(key: bytes) -> AESGCM:
    # Building the cipher costs ten times the encryption itself; keys change rarely.
    return AESGCM(key)


def _associated_data(key_id: str, table: str, column: str, row_id: uuid.UUID) -> bytes:
    return f"{VERSION}|{key_id}|{table}|{column}|{row_id}".encode()


def encrypt(plaintext: str, *, table: str, column: str, row_id: uuid.UUID) -> str:
    ring = key_ring()
    key_id = ring.current_id
    nonce = os.urandom(NONCE_BYTES)
    sealed = _cipher(ring.keys[key_id]).encrypt(
        nonce, plaintext.encode(), _associated_data(key_id, table, column, row_id)
    )
    payload = base64.urlsafe_b64encode(nonce + sealed).decode()
    return f"{VERSION}.{key_id}.{payload}"


def key_id_of(stored: str) -> str:
    return stored.split(".", 2)[1]


def decrypt(stored: str, *, table: str, column: str, row_id: uuid.UUID) -> str:
    try:
        version, key_id, payload = stored.split(".", 2)
        raw = base64.urlsafe_b64decode(payload)
        key = key_ring().keys[key_id]
    except (ValueError, KeyError) as error:
        raise DecryptionError(f"{table}.{column}: unreadable value") from error
    if version != VERSION:
        raise DecryptionError(f"{table}.{column}: unknown format")
    try:
        opened = _cipher(key).decrypt(
            raw[:NONCE_BYTES], raw[NONCE_BYTES:], _associated_data(key_id, table, column, row_id)
        )
    except InvalidTag as error:
        raise DecryptionError(f"{table}.{column}: value does not belong to this row") from error
    return opened.decode()


def normalise(kind: str, value: str) -> str:
    # NFKC first, so "é" typed as one character or as e plus an accent indexes the same.
    text = " ".join(unicodedata.normalize("NFKC", str(value)).split())
    if kind == "nhs_number":
        return text.replace(" ", "")
    if kind in ("prison_number", "crn"):
        return text.replace(" ", "").upper()
    return text.casefold()


def blind_index(kind: str, *values: str) -> str:
    """Keyed hash of normalised values, for exact match. Never over a date or diagnosis alone."""
    message = "|".join([kind, *(normalise(kind, v) for v in values)]).encode()
    return hmac.new(key_ring().index_key, message, hashlib.sha256).hexdigest()


class Encrypted:
    """A model attribute whose plaintext exists only in memory.

    ``given_name = Encrypted()`` reads and writes the mapped column ``_given_name`` (database
    column ``given_name``), sealing on assignment with the row's id, which every Entity has from
    construction. ``kind=date`` stores ISO dates.
    """

    def __init__(self, kind: type = str):
        self.kind = kind

    def __set_name__(self, owner, name: str) -> None:
        self.name = name
        self.column_attr = f"_{name}"

    def _place(self, obj) -> dict:
        return {"table": obj.__tablename__, "column": self.name, "row_id": obj.id}

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        stored = getattr(obj, self.column_attr)
        if stored is None:
            return None
        cache = obj.__dict__.setdefault("_caseflow_plaintext", {})
        if cache.get(self.name, (None,))[0] != stored:
            text = decrypt(stored, **self._place(obj))
            cache[self.name] = (stored, date.fromisoformat(text) if self.kind is date else text)
        return cache[self.name][1]

    def __set__(self, obj, value) -> None:
        if value is None or (isinstance(value, str) and not value.strip()):
            setattr(obj, self.column_attr, None)
            return
        text = value.isoformat() if isinstance(value, date) else str(value).strip()
        setattr(obj, self.column_attr, encrypt(text, **self._place(obj)))


@event.listens_for(Session, "before_flush")
def _refresh_blind_indexes(session, _context, _instances) -> None:
    # Indexes follow the values they hash, whichever attribute changed.
    for obj in list(session.new) + list(session.dirty):
        refresh = getattr(obj, "refresh_blind_indexes", None)
        if refresh is not None:
            refresh()
