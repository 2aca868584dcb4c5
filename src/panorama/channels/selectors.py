import datetime
from urllib.parse import urlencode

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


class TimelinePage(list):
    """One page of the ficha's timeline: the contacts (a list, what the 360 API returns)
    with the channel it is filtered on and the keyset of the next page (None: the end)."""

    channel: str = ""
    next_before: tuple[datetime.datetime, int] | None = None
    channels = Interaction.Channel.choices

    @property
    def more_query(self) -> str:
        """The query string of the next page (for channels:timeline), "" at the end."""
        if self.next_before is None:
            return ""
        query = {"channel": self.channel} if self.channel else {}
        when, pk = self.next_before
        return urlencode({**query, "before": when.isoformat(), "before_id": pk})


def timeline_page(
    *,
    customer_id: int,
    channel: str = "",
    before: tuple[datetime.datetime, int] | None = None,
    size: int = TIMELINE_SIZE,
) -> TimelinePage:
    """``size`` contacts after ``before`` and whether more follow: one query (size + 1)."""
    if channel not in Interaction.Channel.values:
        channel = ""
    rows = timeline(customer_id=customer_id, channel=channel, before=before, limit=size + 1)
    page = TimelinePage(rows[:size])
    page.channel = channel
    if len(rows) > size:
        page.next_before = (page[-1].occurred_at, page[-1].pk)
    return page
