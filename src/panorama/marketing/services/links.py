"""Signed links of marketing messages: the tokens in tracked, unsubscribe and
preference links (Django's signing, its HMAC key derived once per link kind, the
timestamp once per second), and the public URLs they go into (each route reversed once)."""

import base64
import hashlib
import hmac
import json
import time
from typing import Any

from django.conf import settings
from django.core import signing
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.encoding import force_bytes

_keys: dict[tuple[str, str], bytes] = {}
_clock: tuple[int, str] = (0, "0")


def _signing_key(kind: str) -> bytes:
    """The HMAC key ``Signer(salt=f"panorama.marketing.{kind}").signature`` uses:
    ``salted_hmac`` derives it (a SHA-256 of the salt and the secret) again for every
    value it signs; here once per kind and ``SECRET_KEY``."""
    secret = settings.SECRET_KEY
    key = _keys.get((kind, secret))
    if key is None:
        salt = f"panorama.marketing.{kind}signer".encode()
        key = _keys[(kind, secret)] = hashlib.sha256(salt + force_bytes(secret)).digest()
    return key


def token_timestamp() -> str:
    """``TimestampSigner.timestamp()`` (the second, base 62), computed once per second."""
    global _clock
    now = int(time.time())
    second, stamp = _clock
    if second != now:
        stamp = signing.b62_encode(now)
        _clock = (now, stamp)
    return stamp


def token_make(recipient_id: int, kind: str, url: str = "", *, stamp: str = "") -> str:
    """Exactly what ``signing.dumps(payload, salt=f"panorama.marketing.{kind}")`` gives
    (tested byte for byte), at ``stamp`` (``token_timestamp``; now by default): the same
    JSON, base 64, timestamp and HMAC-SHA256, with the key derived once per kind
    (``_signing_key``) and the HMAC in one call. Not compressed: the payload is a few
    bytes (zlib never made it shorter), and each ``zlib.compress`` releases the GIL,
    handing it to the SMTP threads. ``token_read`` reads the compressed tokens of
    earlier e-mails too."""
    if type(recipient_id) is int:  # the JSON of {"r": id, "u": url}, written directly
        data = f'{{"r":{recipient_id},"u":{json.dumps(url)}}}' if url else f'{{"r":{recipient_id}}}'
    else:
        payload: dict[str, Any] = {"r": recipient_id, **({"u": url} if url else {})}
        data = json.dumps(payload, separators=(",", ":"))
    encoded = base64.urlsafe_b64encode(data.encode("latin-1")).rstrip(b"=").decode()
    value = f"{encoded}:{stamp or token_timestamp()}"
    mac = hmac.digest(_signing_key(kind), value.encode(), "sha256")
    return f"{value}:{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def token_read(token: str, kind: str) -> dict[str, Any]:
    """The payload, or ``signing.BadSignature`` when the token was tampered with."""
    payload = signing.loads(token, salt=f"panorama.marketing.{kind}")
    if not isinstance(payload, dict) or not isinstance(payload.get("r"), int):
        raise signing.BadSignature("bad payload")
    return payload


_routes: dict[tuple[str, Any, str, str], tuple[str, str]] = {}
_SLOT = "TOKEN0"


def public_route(name: str) -> tuple[str, str]:
    """What goes before and after the token in ``public_url(name, token)``: the route
    reversed once per URL conf, script prefix and public address."""
    key = (name, get_urlconf(), get_script_prefix(), settings.PANORAMA_PUBLIC_URL)
    route = _routes.get(key)
    if route is None:
        before, _slot, after = reverse(name, args=[_SLOT]).partition(_SLOT)
        route = _routes[key] = (f"{key[3]}{before}", after)
    return route


def public_url(name: str, token: str) -> str:
    """``PANORAMA_PUBLIC_URL + reverse(name, args=[token])``, the route reversed once."""
    before, after = public_route(name)
    return f"{before}{token}{after}"


# --- rendering -----------------------------------------------------------------------------
