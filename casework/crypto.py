"""Encryption at rest for complainant contact data (Fernet, with key rotation)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

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


def blind_index(value: str) -> str:
    """A keyed digest for equality look-ups on encrypted values (e.g. the same phone)."""
    key = hashlib.sha256(("blind-index:" + settings.SECRET_KEY).encode()).digest()
    normalised = "".join(value.split()).lower()
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()


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
