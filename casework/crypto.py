"""Encryption at rest for complainant contact data (Fernet, with key rotation)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if not keys:
        # Embedded/dev mode only (settings refuse this when DEBUG is off).
        derived = base64.urlsafe_b64encode(hashlib.sha256(secret_key.encode()).digest())
        keys = (derived.decode(),)
    return MultiFernet([Fernet(key) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS), settings.SECRET_KEY)


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return fernet().decrypt(token.encode()).decode()


@lru_cache(maxsize=4)
def _index_key(secret: str) -> bytes:
    return hashlib.sha256(("blind-index:" + secret).encode()).digest()


def index_key() -> bytes:
    """The key of every blind index: BLIND_INDEX_KEY, or else SECRET_KEY (so that rotating the
    secret key need not orphan every index; see README)."""
    return _index_key(getattr(settings, "BLIND_INDEX_KEY", "") or settings.SECRET_KEY)


def blind_index(value: str) -> str:
    """A keyed digest for equality look-ups on encrypted values (e.g. the same phone)."""
    normalised = "".join(value.split()).lower()
    return hmac.new(index_key(), normalised.encode(), hashlib.sha256).hexdigest()


def sender_index(channel: str, sender_key: str) -> str:
    """A keyed digest of a chat sender's platform id (a phone number, a chat id, a page-scoped
    id): the same sender gives the same digest, which tells nothing without the key. Ids are
    compared exactly (platform ids are case-sensitive)."""
    message = f"sender:{channel}:{sender_key}".encode()
    return hmac.new(index_key(), message, hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Stores text as a Fernet token; reads give plain text. Not searchable by design."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        try:
            return decrypt(value)
        except InvalidToken:
            return "[undecryptable]"

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)


class EncryptedJSONField(models.TextField):
    """A JSON object stored as one Fernet token; reads give the object ({} when empty)."""

    def from_db_value(self, value, expression, connection):
        if not value:
            return {}
        try:
            return json.loads(decrypt(value))
        except (InvalidToken, ValueError):
            return {}

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value) if value else {}
            except ValueError:
                return {}
        return value

    def get_prep_value(self, value):
        if value is None:
            return None
        if not value:
            return ""
        return encrypt(json.dumps(value, sort_keys=True, ensure_ascii=False))

    def value_to_string(self, obj) -> str:
        return json.dumps(self.value_from_object(obj), ensure_ascii=False)
