"""The core's reads: the audit log (administrators and auditors)."""

from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from panorama.accounts.permissions import ensure_can

from .models import AuditEvent


def audit_events(*, by: Any) -> QuerySet[AuditEvent]:
    """Every audit event, for who may read the log (a 403 for anyone else)."""
    ensure_can(by, "core.read_audit")
    return AuditEvent.objects.all()


def audit_events_filter(
    qs: QuerySet[AuditEvent],
    *,
    kind: str = "",
    username: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEvent]:
    """The screen's and the API's filters: a kind, a username prefix, a period."""
    if kind:
        qs = qs.filter(kind=kind)
    if username:
        qs = qs.filter(username__istartswith=username)
    if since is not None:
        qs = qs.filter(at__gte=since)
    if until is not None:
        qs = qs.filter(at__lt=until)
    return qs
