"""Web tracking: a batch of page views and named events from a site's snippet, checked
whole before anything is written (one bad event: 400, nothing stored), appended with one
INSERT; identity resolution (a tracked link's signed token, a web form's e-mail);
timeline summaries (one entry per customer and visit, not one per page).

The snippet sends ``{"visitor": <cookie id or null>, "link": <token or null>,
"events": [{"name": "page_view" | <name>, "url": ..., "data": {...}}]}``.
"""

import datetime
import re
from collections import defaultdict
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.core.events import emit
from panorama.core.exceptions import DomainError, NotFound, PermissionDenied, ValidationFailed

from ..models import TrackedSite, WebEvent, WebVisitor

PAGE_VIEW = "page_view"
IDENTIFY = "identify"  # a web form's submit: {"email": ...}
MAX_EVENTS = 50
MAX_KEYS = 20
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
# The snippet's first-party cookie id (pn_vid), as track.js makes it; the chat checks it too.
VISITOR_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_SALT = "automation.track.link"
VISIT_GAP = datetime.timedelta(minutes=30)


class TrackingThrottled(DomainError):
    status_code = 429
    code = "throttled"

    def __init__(self, retry_after: int):
        super().__init__(_("Too many tracking requests: slow down."))
        self.retry_after = retry_after


def site_for_key(public_key: str) -> TrackedSite:
    site = TrackedSite.objects.filter(public_key=public_key, active=True).first()
    if site is None:
        raise NotFound(_("No active tracked site has this key."))
    return site


def origin_check(site: TrackedSite, origin: str, *, own_origin: str = "") -> None:
    """The page sending for ``site`` is one of its origins, or Panorama's own
    (``own_origin``: the portal's pages, served by Panorama itself, carry the snippet
    and the chat widget of ``site_for_portal`` without an administrator listing them)."""
    origin = origin.rstrip("/")
    if own_origin and origin and origin.lower() == own_origin.rstrip("/").lower():
        return
    if origin not in site.origin_list():
        raise PermissionDenied(_("This origin may not send events for this site."))


def throttle_hit(*, site: TrackedSite, address: str | None) -> None:
    """At most the site's ``rate_per_minute`` requests a minute per address (counted in
    the cache: per process with the default local-memory cache)."""
    limit = site.rate_per_minute
    window = int(timezone.now().timestamp() // 60)
    key = f"track:{site.pk}:{address}:{window}"
    if cache.add(key, 1, 90):
        return
    try:
        hits = cache.incr(key)
    except ValueError:
        cache.add(key, 1, 90)
        return
    if hits > limit:
        raise TrackingThrottled(retry_after=60 - int(timezone.now().timestamp()) % 60)


def _bad(message: str) -> ValidationFailed:
    return ValidationFailed(message, field="events")


def _clean_data(data: Any) -> dict[str, Any]:
    if data in (None, {}):
        return {}
    if not isinstance(data, dict) or len(data) > MAX_KEYS:
        raise _bad(_("An event's data is an object of at most %(n)s keys.") % {"n": MAX_KEYS})
    clean = {}
    for key, value in data.items():
        if not isinstance(key, str) or not _NAME.match(key):
            raise _bad(_("“%(k)s” is not a valid data key.") % {"k": str(key)[:60]})
        if isinstance(value, str):
            value = value[:200]
        elif value is not None and not isinstance(value, bool | int | float):
            raise _bad(_("The value of %(k)s must be text, a number or true/false.") % {"k": key})
        clean[key] = value
    return clean


def batch_clean(body: Any) -> tuple[str, str, list[dict[str, Any]]]:
    """(visitor, link token, events) of a posted batch, or ValidationFailed."""
    if not isinstance(body, dict):
        raise _bad(_("Send a JSON object with a list of events."))
    visitor = body.get("visitor") or ""
    if visitor and (not isinstance(visitor, str) or not VISITOR_ID.match(visitor)):
        raise ValidationFailed(_("The visitor id is not valid."), field="visitor")
    link = body.get("link") or ""
    if not isinstance(link, str) or len(link) > 200:
        raise ValidationFailed(_("The link token is not valid."), field="link")
    events = body.get("events")
    if not isinstance(events, list) or not 0 < len(events) <= MAX_EVENTS:
        raise _bad(_("Send between 1 and %(n)s events.") % {"n": MAX_EVENTS})
    clean = []
    for item in events:
        if not isinstance(item, dict):
            raise _bad(_("An event is an object."))
        name = item.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise _bad(_("“%(n)s” is not a valid event name.") % {"n": str(name)[:60]})
        url = item.get("url") or ""
        if not isinstance(url, str):
            raise _bad(_("An event's url is text."))
        clean.append({"name": name, "url": url[:500], "data": _clean_data(item.get("data"))})
    return visitor, link, clean


def link_token(customer_id: int) -> str:
    """The signed token a tracked link carries (``?pn_c=``) for one customer."""
    return signing.dumps(customer_id, salt=_SALT, compress=True)


def tracked_url(url: str, customer_id: int) -> str:
    """``url`` carrying the customer's token in its query (before any ``#fragment``)."""
    parts = urlsplit(url)
    query = f"{parts.query}&" if parts.query else ""
    return urlunsplit(parts._replace(query=f"{query}pn_c={link_token(customer_id)}"))


_LINK = re.compile(r"https?://[^\s<>\"')]+")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def tracked_origins() -> set[str]:
    """The origins of the active tracked sites (one query), lower-cased."""
    return {
        origin.lower()
        for site in TrackedSite.objects.filter(active=True).only("origins")
        for origin in site.origin_list()
    }


def url_tracked_if_ours(url: str, customer_id: int, origins: set[str] | None = None) -> str:
    """A link to one of the company's tracked sites gets the customer's ``pn_c`` token, so
    the site's snippet knows who arrived (and his visit lands on his timeline); a link
    elsewhere is left alone: the token never leaves for a third party's site."""
    origins = tracked_origins() if origins is None else origins
    if _origin(url) not in origins or "pn_c=" in urlsplit(url).query:
        return url
    return tracked_url(url, customer_id)


def links_tracked(text: str, customer_id: int) -> str:
    """``text`` with every link to a tracked site carrying the customer's token."""
    origins = tracked_origins()
    if not origins:
        return text
    return _LINK.sub(lambda m: url_tracked_if_ours(m.group(0), customer_id, origins), text)


def _link_customer(token: str) -> int | None:
    max_age = getattr(settings, "PANORAMA_TRACK_LINK_DAYS", 90) * 86400
    try:
        value = signing.loads(token, salt=_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def _email_customer(email: Any) -> int | None:
    from panorama.customers.selectors import identify

    if not isinstance(email, str) or "@" not in email:
        return None
    matches = identify(user=None, value=email, kind="email")
    return matches[0].customer.pk if len(matches) == 1 else None


def visitor_identify(*, visitor: WebVisitor, customer_id: int, via: str) -> int:
    """Link the cookie to the customer and give him its earlier anonymous events."""
    if visitor.customer_id == customer_id:
        return 0
    visitor.customer_id = customer_id
    visitor.identified_at = timezone.now()
    visitor.identified_by = via
    visitor.save(update_fields=["customer", "identified_at", "identified_by"])
    moved = WebEvent.objects.filter(
        site_id=visitor.site_id, cookie_id=visitor.cookie_id, customer__isnull=True
    ).update(customer_id=customer_id)
    emit(
        "web.visitor_identified",
        site_id=visitor.site_id,
        visitor=visitor.cookie_id,
        customer_id=customer_id,
        via=via,
        events=moved,
    )
    return moved


def visitor_link(*, site: TrackedSite, cookie: str, customer_id: int, via: str) -> int:
    """The browser holding ``cookie`` on ``site`` is ``customer_id``'s from now (he gave
    his e-mail in a chat, signed in to the portal...): ``visitor_identify`` on its visitor,
    made if the cookie never sent an event. A cookie id that is not one the snippet makes
    links nothing. Returns how many earlier anonymous events became his."""
    if not cookie or not VISITOR_ID.match(cookie):
        return 0
    visitor, _created = WebVisitor.objects.get_or_create(site=site, cookie_id=cookie)
    return visitor_identify(visitor=visitor, customer_id=customer_id, via=via)


def site_for_portal(origin: str) -> TrackedSite | None:
    """The tracked site the customer portal (served at ``origin``) belongs to: the active
    site listing that origin, else the oldest active site (a company with one web site
    needs no setting). None when no site is active: the portal then carries no snippet
    and no chat. One query."""
    wanted = origin.rstrip("/").lower()
    sites = list(TrackedSite.objects.filter(active=True).order_by("pk"))
    for site in sites:
        if wanted in (o.lower() for o in site.origin_list()):
            return site
    return sites[0] if sites else None


@transaction.atomic
def events_ingest(*, site: TrackedSite, body: Any, now: datetime.datetime | None = None) -> int:
    """Store a checked batch (one INSERT), resolve the visitor, emit the named events.
    Returns how many events were stored."""
    visitor_id, link, events = batch_clean(body)
    now = now or timezone.now()
    customer_id = None
    if visitor_id:
        visitor, _created = WebVisitor.objects.get_or_create(site=site, cookie_id=visitor_id)
        who = _link_customer(link) if link else None
        via = "link"
        if who is None:
            for item in events:
                if item["name"] == IDENTIFY:
                    who, via = _email_customer(item["data"].get("email")), "form"
        if who is not None:
            visitor_identify(visitor=visitor, customer_id=who, via=via)
        customer_id = visitor.customer_id
    rows = [
        WebEvent(
            site=site,
            cookie_id=visitor_id,
            customer_id=customer_id,
            name=item["name"],
            url=item["url"],
            # The e-mail of a form stays with the customer record, not in the events.
            data={} if item["name"] == IDENTIFY else item["data"],
            at=now,
        )
        for item in events
    ]
    WebEvent.objects.bulk_create(rows)
    for item in events:
        if item["name"] not in (PAGE_VIEW, IDENTIFY):
            emit(
                "web.event_tracked",
                site_id=site.pk,
                name=item["name"],
                customer_id=customer_id,
                visitor=visitor_id,
                data=item["data"],
            )
    return len(rows)


def _summary(events: list[WebEvent]) -> tuple[str, str]:
    views = [e for e in events if e.name == PAGE_VIEW]
    named = [e for e in events if e.name not in (PAGE_VIEW, IDENTIFY)]
    parts = [_("%(n)s pages viewed") % {"n": len(views)}] if views else []
    parts += sorted({e.name.replace("_", " ") for e in named})
    subject = _("Web visit: %(what)s") % {"what": ", ".join(parts) or _("activity")}
    lines = []
    for e in named:
        data = ", ".join(f"{k}={v}" for k, v in e.data.items())
        lines.append(f"{e.name}: {data}" if data else e.name)
    pages: dict[str, int] = defaultdict(int)
    for e in views:
        pages[e.url] += 1
    for url, count in sorted(pages.items(), key=lambda p: -p[1])[:10]:
        lines.append(f"{url} ×{count}")
    return subject[:200], "\n".join(lines)


def web_summarise(now: datetime.datetime | None = None) -> int:
    """Put on the timeline the visits of known customers that ended (no event for
    ``VISIT_GAP``): one entry per customer and visit. Returns how many entries."""
    from panorama.channels.models import Interaction
    from panorama.channels.services import interaction_record

    now = now or timezone.now()
    pending = (
        WebEvent.objects.filter(summarised=False, customer__isnull=False)
        .values("customer_id")
        .annotate(last=Max("at"), first=Min("at"))
        .filter(last__lt=now - VISIT_GAP)[:500]
    )
    made = 0
    for group in pending:
        with transaction.atomic():
            events = list(
                WebEvent.objects.select_for_update()
                .filter(customer_id=group["customer_id"], summarised=False)
                .order_by("at", "id")[:5000]
            )
            if not events:
                continue
            subject, body = _summary(events)
            interaction_record(
                customer_id=group["customer_id"],
                by=None,
                channel=Interaction.Channel.WEB,
                direction=Interaction.Direction.INBOUND,
                subject=subject,
                body=body,
                occurred_at=events[0].at,
                metadata={"kind": "web_visit", "events": len(events)},
            )
            WebEvent.objects.filter(pk__in=[e.pk for e in events]).update(summarised=True)
            made += 1
    return made


def _origin_clean(raw: str) -> str:
    from urllib.parse import urlsplit

    origin = raw.strip().rstrip("/")
    parts = urlsplit(origin)
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or parts.path
        or parts.query
        or parts.fragment
        or "@" in parts.netloc
    ):
        raise ValidationFailed(
            _("“%(o)s” is not an origin (scheme and host only, e.g. https://www.bank.example).")
            % {"o": origin[:200]},
            field="origins",
        )
    return f"{parts.scheme}://{parts.netloc.lower()}"


@transaction.atomic
def tracked_site_save(*, by, site: TrackedSite) -> TrackedSite:
    """Create or change a tracked site (its snippet's key, allowed origins, consent and
    rate), for the setup page, the admin and the API alike (administrators and managers:
    ``channels.configure_channels``)."""
    from panorama.accounts.permissions import ensure_can
    from panorama.core.validation import rules_for

    ensure_can(by, "channels.configure_channels")
    site.name = (site.name or "").strip()
    if not site.name:
        raise ValidationFailed(_("A site needs a name."), field="name")
    origins = [_origin_clean(line) for line in (site.origins or "").splitlines() if line.strip()]
    if not origins:
        raise ValidationFailed(_("Give at least one allowed origin."), field="origins")
    site.origins = "\n".join(dict.fromkeys(origins))
    if not 1 <= (site.rate_per_minute or 0) <= 100_000:
        raise ValidationFailed(
            _("The rate is between 1 and 100000 requests a minute."), field="rate_per_minute"
        )
    rules_for(TrackedSite).check(site)
    site.save()
    return site
