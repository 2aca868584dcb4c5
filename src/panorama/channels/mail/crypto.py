"""Mailbox passwords at rest: Fernet (``cryptography``) with a key derived from
``PANORAMA_MAIL_KEY`` (default: ``SECRET_KEY``). Rotating that key means typing the
passwords again; the ciphertext is never shown back."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    secret = getattr(settings, "PANORAMA_MAIL_KEY", "") or settings.SECRET_KEY
    digest = hashlib.sha256(f"panorama-mailbox:{secret}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(password: str) -> str:
    return _fernet().encrypt(password.encode()).decode() if password else ""


def unseal(token: str) -> str:
    """The password, or "" when the key changed since it was stored."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""
