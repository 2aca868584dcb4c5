"""The messaging provider interface and the reference provider (docs/messaging.md).

A provider sends a message (returns its id for the delivery reports) and reads what
its webhook posts: an inbound message or a delivery report. Panorama checks the
webhook's signature itself (HMAC-SHA256 of the raw body with the account's secret),
whatever the provider, before any of it is read."""

import datetime
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Protocol

import httpx

from ..mail.crypto import unseal
from .models import MessagingAccount

TIMEOUT = 10.0


class ProviderError(Exception):
    """The provider refused or could not be reached; the message says why."""


@dataclass
class Inbound:
    provider_id: str
    number: str
    body: str
    received_at: datetime.datetime | None


@dataclass
class StatusReport:
    provider_id: str
    status: str
    error: str


class Provider(Protocol):
    def send(self, *, account: MessagingAccount, to: str, body: str) -> str: ...

    def read(self, payload: dict) -> Inbound | StatusReport: ...


def signature_for(secret: str, body: bytes) -> str:
    """``X-Panorama-Signature`` of a webhook call (as the PBX's, docs/pbx.md)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_good(secret: str, body: bytes, signature: str) -> bool:
    return bool(signature) and hmac.compare_digest(
        signature.strip().encode(), signature_for(secret, body).encode()
    )


class ReferenceProvider:
    """The documented HTTP API of docs/messaging.md."""

    def send(self, *, account: MessagingAccount, to: str, body: str) -> str:
        url = account.api_url.rstrip("/") + "/messages"
        payload = {"from": account.number, "to": to, "body": body, "channel": account.kind}
        try:
            response = httpx.post(
                url,
                json=payload,
                headers={"Authorization": f"Bearer {unseal(account.api_key_sealed)}"},
                timeout=TIMEOUT,
            )
        except httpx.HTTPError as exc:
            raise ProviderError(f"{type(exc).__name__}: {exc}") from exc
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        if response.status_code >= 300:
            detail = answer.get("error") if isinstance(answer, dict) else ""
            raise ProviderError(f"HTTP {response.status_code}: {detail or response.text[:200]}")
        if not isinstance(answer, dict) or not str(answer.get("id") or "").strip():
            raise ProviderError("the provider's answer has no message id")
        return str(answer["id"])[:100]

    def read(self, payload: dict) -> Inbound | StatusReport:
        kind = payload.get("type")
        provider_id = str(payload.get("id") or "").strip()[:100]
        if not provider_id:
            raise ValueError("id: required")
        if kind == "message":
            number, body = payload.get("from"), payload.get("body")
            if not isinstance(number, str) or not number.strip():
                raise ValueError("from: required")
            if not isinstance(body, str):
                raise ValueError("body: required")
            received = payload.get("received_at")
            when = None
            if received:
                try:
                    when = datetime.datetime.fromisoformat(str(received))
                except ValueError as exc:
                    raise ValueError("received_at: not an ISO 8601 date") from exc
                if when.tzinfo is None:
                    when = when.replace(tzinfo=datetime.UTC)
            return Inbound(provider_id, number.strip()[:40], body, when)
        if kind == "status":
            status = payload.get("status")
            if status not in ("sent", "delivered", "failed"):
                raise ValueError("status: sent, delivered or failed")
            return StatusReport(provider_id, status, str(payload.get("error") or ""))
        raise ValueError("type: message or status")


PROVIDERS: dict[str, Provider] = {MessagingAccount.Provider.REFERENCE: ReferenceProvider()}


def provider_for(account: MessagingAccount) -> Provider:
    return PROVIDERS[account.provider]


def parse_json(body: bytes) -> dict:
    try:
        payload = json.loads(body or b"")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError("the body is not JSON") from exc
    if not isinstance(payload, dict):
        raise ValueError("the body is not a JSON object")
    return payload
