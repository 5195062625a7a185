"""Field encryption (AES-256-GCM) and masking for personal numbers.

Ciphertexts are stored as "v1:" + urlsafe-base64(nonce ‖ ciphertext ‖ tag). A keyed HMAC-SHA256
digest ("blind index") of the normalized value allows exact look-up without decryption.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "v1:"


@lru_cache(maxsize=4)
def _key_bytes(key_text: str) -> bytes:
    # Any secret text becomes a 256-bit key; a 32-byte urlsafe-base64 key is used as it is.
    try:
        raw = base64.urlsafe_b64decode(key_text + "=" * (-len(key_text) % 4))
        if len(raw) == 32:
            return raw
    except (ValueError, TypeError):
        pass
    return hashlib.sha256(key_text.encode()).digest()


def _key() -> bytes:
    from django.conf import settings

    return _key_bytes(settings.FIELD_ENCRYPTION_KEY)


def encrypt(plain: str, aad: bytes = b"feidi") -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_key()).encrypt(nonce, plain.encode(), aad)
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt(token: str, aad: bytes = b"feidi") -> str:
    if not token.startswith(PREFIX):
        raise ValueError("not an encrypted value")
    raw = base64.urlsafe_b64decode(token[len(PREFIX) :])
    return AESGCM(_key()).decrypt(raw[:12], raw[12:], aad).decode()


def blind_index(plain: str) -> str:
    return hmac.new(_key(), plain.encode(), hashlib.sha256).hexdigest()


def mask_phone(value: str) -> str:
    """138****5678; shorter numbers keep only their last 2 characters."""
    if not value:
        return ""
    if len(value) >= 11:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    return "*" * max(len(value) - 2, 0) + value[-2:]


def mask_id_card(value: str) -> str:
    """3611**********1234: region prefix and last 4 kept."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]
