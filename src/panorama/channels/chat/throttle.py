"""The widget's rate limit: writes per minute, site and address, counted in the cache."""

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.core.exceptions import DomainError


class ChatThrottled(DomainError):
    status_code = 429
    code = "throttled"

    def __init__(self, retry_after: int):
        super().__init__(_("Too many chat messages from your address: wait a minute."))
        self.retry_after = retry_after


def chat_throttle(*, site_id: int, address: str | None) -> None:
    """At most ``PANORAMA_CHAT_PER_MINUTE`` writes (starts, messages, offline messages) a
    minute per site and address, counted in the cache like the tracking endpoint."""
    limit = settings.PANORAMA_CHAT_PER_MINUTE
    now = timezone.now().timestamp()
    key = f"chat:{site_id}:{address}:{int(now // 60)}"
    if cache.add(key, 1, 90):
        hits = 1
    else:
        try:
            hits = cache.incr(key)
        except ValueError:
            cache.add(key, 1, 90)
            hits = 1
    if hits > limit:
        raise ChatThrottled(retry_after=60 - int(now) % 60)
