"""Encryption for stored integration credentials.

``INTEGRATIONS_ENCRYPTION_KEYS`` holds one or more Fernet keys, comma-separated, newest first:
new secrets are encrypted with the first, and every key can still decrypt, so keys rotate by
prepending a new one and running ``manage.py rotate_integration_keys``. Without the variable
(development), one key is derived from ``SECRET_KEY`` so stored credentials still never sit in the
database in clear text.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class CredentialsUnreadable(Exception):
    """No configured key decrypts the stored value (a key was removed before rotating)."""


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "INTEGRATIONS_ENCRYPTION_KEYS must be Fernet keys (32 url-safe base64 bytes), comma-separated."
        ) from exc


def _keys() -> tuple[str, ...]:
    configured = tuple(settings.INTEGRATIONS_ENCRYPTION_KEYS)
    if configured:
        return configured
    derived = hashlib.sha256(b"loriaa-integrations:" + settings.SECRET_KEY.encode()).digest()
    return (base64.urlsafe_b64encode(derived).decode(),)


def encrypt(data: dict[str, Any]) -> str:
    return _fernet(_keys()).encrypt(json.dumps(data, sort_keys=True).encode()).decode()


def decrypt(token: str) -> dict[str, Any]:
    if not token:
        return {}
    try:
        return json.loads(_fernet(_keys()).decrypt(token.encode()))
    except InvalidToken as exc:
        raise CredentialsUnreadable("No configured encryption key can read these credentials.") from exc


def rotate(token: str) -> str:
    """Re-encrypt with the newest key."""
    return _fernet(_keys()).rotate(token.encode()).decode() if token else token
