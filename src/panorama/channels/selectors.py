import datetime

from django.db.models import Q

from .models import Interaction

TIMELINE_SIZE = 50


def timeline(
    *,
    customer_id: int,
    channel: str = "",
    before: tuple[datetime.datetime, int] | None = None,
    limit: int = TIMELINE_SIZE,
) -> list[Interaction]:
    """The newest contacts of one customer, newest first: one query (agent joined)."""
    qs = Interaction.objects.filter(customer_id=customer_id).select_related("agent")
    if channel:
        qs = qs.filter(channel=channel)
    if before is not None:
        at, pk = before
        qs = qs.filter(Q(occurred_at__lt=at) | Q(occurred_at=at, id__lt=pk))
    return list(qs.order_by("-occurred_at", "-id")[: max(1, min(limit, 200))])
