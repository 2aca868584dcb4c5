import datetime

from panorama.core.pagination import Keyset

from .models import Interaction

TIMELINE_SIZE = 50
# Paged by the API's before/before_id (a timestamp and an id, not an opaque cursor).
NEWEST_FIRST = Keyset("-occurred_at", "-id", types=(str, int))


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
        qs = NEWEST_FIRST.after(qs, before)
    return list(NEWEST_FIRST.ordered(qs)[: max(1, min(limit, 200))])
