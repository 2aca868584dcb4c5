import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.core.events import emit
from panorama.core.exceptions import ValidationFailed

from .models import Interaction


@transaction.atomic
def interaction_record(
    *,
    customer_id: int,
    channel: str,
    direction: str,
    subject: str,
    body: str = "",
    outcome: str = "",
    agent: User | None = None,
    occurred_at: datetime.datetime | None = None,
    duration_seconds: int | None = None,
    related: models.Model | None = None,
    metadata: dict[str, Any] | None = None,
) -> Interaction:
    """Put one contact on the customer's timeline. Every app records contacts here."""
    if channel not in Interaction.Channel.values:
        raise ValidationFailed(_("Unknown channel %(c)s.") % {"c": channel}, field="channel")
    if direction not in Interaction.Direction.values:
        raise ValidationFailed(_("Unknown direction %(d)s.") % {"d": direction}, field="direction")
    subject = (subject or "").strip()
    if not subject:
        raise ValidationFailed(_("A contact needs a subject."), field="subject")
    if duration_seconds is not None and duration_seconds < 0:
        raise ValidationFailed(_("A duration cannot be negative."), field="duration_seconds")
    occurred_at = occurred_at or timezone.now()
    if occurred_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationFailed(_("A contact cannot happen in the future."), field="occurred_at")
    interaction = Interaction.objects.create(
        customer_id=customer_id,
        channel=channel,
        direction=direction,
        subject=subject[:200],
        body=body or "",
        outcome=(outcome or "")[:100],
        agent=agent,
        occurred_at=occurred_at,
        duration_seconds=duration_seconds,
        related_type=ContentType.objects.get_for_model(related) if related is not None else None,
        related_id=str(related.pk) if related is not None else "",
        metadata=metadata or {},
    )
    emit(
        "interaction.recorded",
        customer_id=customer_id,
        interaction_id=interaction.pk,
        channel=channel,
        direction=direction,
    )
    return interaction
