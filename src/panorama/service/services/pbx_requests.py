"""A PBX's requests to the call webhook: who sent them (its secret, docs/pbx.md: an
``X-Panorama-Signature: sha256=<hex HMAC-SHA256 of the body>`` header, or
``Authorization: Bearer <secret>``; both compared in constant time) and what they say
(a JSON event of a known kind, each field checked: a 422 naming it). ``call.py`` acts on
the events; Panorama signs its own requests to the PBX with ``signature_for``."""

import datetime
import hashlib
import hmac
import json
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from panorama.core.exceptions import DomainError, ValidationFailed
from panorama.customers import identifiers

from ..models import Pbx

MAX_BODY = 16 * 1024
EVENT_KINDS = ("ringing", "answered", "ended", "callback")


class Unauthenticated(DomainError):
    status_code = 401
    code = "unauthenticated"


def signature_for(secret: str, body: bytes) -> str:
    """What the PBX sends in ``X-Panorama-Signature`` (and Panorama in its requests)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def pbx_authenticate(*, pbx_id: int, body: bytes, signature: str = "", bearer: str = "") -> Pbx:
    """The active PBX ``pbx_id`` if the request carries its secret, else 401 (an unknown
    PBX is answered the same, so ids cannot be probed)."""
    pbx = Pbx.objects.filter(pk=pbx_id, active=True).first() if 0 < pbx_id < 2**62 else None
    refused = Unauthenticated(
        _(
            "Bad or missing signature: send X-Panorama-Signature (the HMAC-SHA256 of the body) "
            "or Authorization: Bearer <the PBX's secret> (docs/pbx.md)."
        )
    )
    if pbx is None:
        raise refused
    if signature:
        good = hmac.compare_digest(
            signature.strip().encode(), signature_for(pbx.secret, body).encode()
        )
    elif bearer:
        good = hmac.compare_digest(bearer.strip().encode(), pbx.secret.encode())
    else:
        good = False
    if not good:
        raise refused
    return pbx


def event_text(data: dict, name: str, *, required: bool = False, max_length: int = 100) -> str:
    value = data.get(name, "")
    if value is None:
        value = ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValidationFailed(_("%(field)s must be a text.") % {"field": name}, field=name)
    value = value.replace("\x00", "").strip()
    if required and not value:
        raise ValidationFailed(_("%(field)s is required.") % {"field": name}, field=name)
    if len(value) > max_length:
        raise ValidationFailed(
            _("%(field)s has more than %(n)s characters.") % {"field": name, "n": max_length},
            field=name,
        )
    return value


def event_when(
    data: dict, name: str, default: datetime.datetime | None
) -> datetime.datetime | None:
    raw = data.get(name)
    if raw in (None, ""):
        return default
    parsed = parse_datetime(raw) if isinstance(raw, str) else None
    if parsed is None:
        raise ValidationFailed(
            _("%(field)s must be a date and time (ISO 8601).") % {"field": name}, field=name
        )
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def event_parse(body: bytes) -> dict[str, Any]:
    """The event as a dict with a known ``event`` type, or a 422 naming what is wrong."""
    if len(body) > MAX_BODY:
        raise ValidationFailed(_("The event is too large."), field="body")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ValidationFailed(_("The body must be a JSON object."), field="body") from None
    if not isinstance(data, dict):
        raise ValidationFailed(_("The body must be a JSON object."), field="body")
    kind = data.get("event")
    if kind not in EVENT_KINDS:
        raise ValidationFailed(
            _("event must be one of: %(kinds)s.") % {"kinds": ", ".join(EVENT_KINDS)},
            field="event",
        )
    return data


def phone_number(raw: str) -> str:
    """E.164 when it is a phone number, as sent otherwise (an internal number, "anonymous")."""
    try:
        return identifiers.normalise_phone(raw) if raw else ""
    except ValidationFailed:
        return raw
