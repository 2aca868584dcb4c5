"""Writes of the cross-cutting records: field history and audit log."""

from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditEvent, FieldChange


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, models.Model):
        return str(value.pk)
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, str]:
    """The text form of ``fields`` of ``instance``, to compare before and after a write."""
    return {name: _as_text(getattr(instance, name)) for name in fields}


def field_changes_build(
    *,
    instance: models.Model,
    before: dict[str, str],
    after: dict[str, str],
    user=None,
    customer_id: int | None = None,
    reason: str = "",
) -> list[FieldChange]:
    """One unsaved FieldChange per field whose text form differs between before and after
    (a batch writes the changes of many records in one insert)."""
    content_type = ContentType.objects.get_for_model(instance)
    return [
        FieldChange(
            content_type=content_type,
            object_id=str(instance.pk),
            customer_id=customer_id,
            field=name,
            old_value=before.get(name, ""),
            new_value=after.get(name, ""),
            changed_by=user if (user and user.is_authenticated) else None,
            reason=reason,
        )
        for name in sorted(set(before) | set(after))
        if before.get(name, "") != after.get(name, "")
    ]


def field_history_record(
    *,
    instance: models.Model,
    before: dict[str, str],
    after: dict[str, str],
    user=None,
    customer_id: int | None = None,
    reason: str = "",
) -> list[FieldChange]:
    """Record one FieldChange per field whose text form differs between before and after."""
    changes = field_changes_build(
        instance=instance,
        before=before,
        after=after,
        user=user,
        customer_id=customer_id,
        reason=reason,
    )
    FieldChange.objects.bulk_create(changes)
    return changes


def audit_record(
    *, kind: str, user=None, username: str = "", ip_address: str | None = None, **detail: Any
) -> AuditEvent:
    if user is not None and not user.is_authenticated:
        user = None
    return AuditEvent.objects.create(
        kind=kind,
        user=user,
        username=username or (user.get_username() if user else ""),
        ip_address=ip_address,
        detail=detail,
    )
