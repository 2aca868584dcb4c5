"""Segment-level targeting: which segments a user may see, who is in one (for a rule's
condition), and the ficha's "segments" panel with their alerts and eligible offers."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.core.exceptions import NotFound, ValidationFailed
from panorama.customers.models import Customer
from panorama.customers.selectors import teams_in_scope

from .. import rules as segment_rules
from ..models import ListMembership, Segment, SegmentAlert


def segment_scope(user: User | None) -> Q:
    """The Q keeping the segments ``user`` may see: those of the whole staff, and those
    kept to a team he belongs to or whose customers he sees (marketing, administrators
    and every role that sees every customer: all)."""
    if user is None or user.is_superuser or user.sees_all_customers:
        return Q()
    teams = teams_in_scope(user)
    if teams is None:
        return Q()
    return Q(team__isnull=True) | Q(team__in=teams.values("pk")) | Q(team__members=user)


def segments_visible_to(user: User | None) -> QuerySet[Segment]:
    return Segment.objects.filter(segment_scope(user)).distinct().select_related("owner", "team")


def segment_visible_get(*, user: User | None, segment_id: Any) -> Segment:
    """The segment if ``user`` may see it; NotFound otherwise (one message for both,
    so a segment out of his sight is not disclosed)."""
    ok = isinstance(segment_id, int) and not isinstance(segment_id, bool)
    found = segments_visible_to(user).filter(pk=segment_id).first() if ok else None
    if found is None:
        raise NotFound(_("There is no segment %(id)s.") % {"id": segment_id})
    return found


# Beyond this many customers asked about, the segment's ids are read whole and
# intersected (a statement with 100,000 parameters is refused by some databases).
MEMBERS_IN_CLAUSE = 2000


def segment_members(*, segment_id: int, customer_ids: list[int]) -> set[int]:
    """Which of ``customer_ids`` the segment contains now: its own SQL restricted to
    them, one query whatever their number (plus the segment and the custom field
    catalogue), never the whole segment loaded for a few. No staff scope: a rule asks.
    A segment deleted since, or whose rules no longer validate, contains nobody."""
    segment = Segment.objects.filter(pk=segment_id).only("rules").first()
    if segment is None or not customer_ids:
        return set()
    catalogue = segment_rules.fields()
    try:
        rule = segment_rules.validate(segment.rules, catalogue=catalogue)
    except ValidationFailed:
        return set()
    inside = Customer.objects.filter(segment_rules.compile_rule(rule, catalogue=catalogue))
    if len(customer_ids) > MEMBERS_IN_CLAUSE:
        return set(inside.values_list("pk", flat=True)) & set(customer_ids)
    return set(inside.filter(pk__in=customer_ids).values_list("pk", flat=True))


def offer_restrictions(*, customer_ids: list[int]) -> dict[str, set[int]]:
    """For every product a segment offers: which of ``customer_ids`` may be offered it
    (those in one of its segments), keyed by its SKU and by its name, as the next best
    offer names products. A product no segment offers is not in the answer: it is open
    to everyone. One query per segment that offers something (its SQL restricted to
    ``customer_ids``), whatever their number."""
    links: dict[int, list[tuple[str, str]]] = {}
    for segment_id, sku, name in Segment.offers.through.objects.values_list(
        "segment_id", "product__sku", "product__name"
    ):
        links.setdefault(segment_id, []).append((sku, name))
    allowed: dict[str, set[int]] = {}
    for segment_id, products in links.items():
        members = segment_members(segment_id=segment_id, customer_ids=customer_ids)
        for sku, name in products:
            allowed.setdefault(sku, set()).update(members)
            allowed.setdefault(name, set()).update(members)
    return allowed


def _live_alerts(today: datetime.date) -> QuerySet[SegmentAlert]:
    return (
        SegmentAlert.objects.filter(active=True)
        .filter(Q(starts_on__isnull=True) | Q(starts_on__lte=today))
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .order_by("-level", "-created_at", "-id")  # warnings before information
    )


@dataclass
class Offer:
    """A catalogue product the customer is eligible for, and the segment that says so."""

    product: Any
    segment: Segment


def eligible_offers(*, customer: Customer, segments: list[Segment]) -> list[Offer]:
    """The active products linked to ``segments`` (read with them), highest priority
    first, each once, without those the customer already holds (his active holdings,
    prefetched on the ficha)."""
    if not any(segment.offers.all() for segment in segments):
        return []
    held = {h.product_code for h in customer.holdings.all() if h.status == "active"}
    seen: set[int] = set()
    offers = []
    for segment in segments:
        for product in segment.offers.all():
            if product.pk in seen or not product.active or product.sku in held:
                continue
            seen.add(product.pk)
            offers.append(Offer(product=product, segment=segment))
    return offers


def customer_segments(*, customer: Customer, user: User, lists: bool = True) -> dict[str, Any]:
    """The segments ``user`` may see that the customer is in, highest priority first
    (one query per hundred segments: a boolean column each, never a query per segment),
    their live alerts and eligible offers (one query each, whatever the number of
    segments), and the lists he is or was in (one query; none when ``lists`` is False:
    the ficha read that he was never in one)."""
    from . import segments_containing

    today = timezone.localdate()
    segments = list(
        segments_visible_to(user)
        .select_related(None)
        .only("pk", "name", "rules", "priority")
        .order_by("-priority", "name", "id")
    )
    # A segment naming a custom field deleted since is left out of the panel (its own
    # page says what is wrong), never a broken ficha.
    flags = segments_containing(customer_id=customer.pk, segments=segments)
    inside = [s for s in segments if s.pk in flags]
    if inside:
        from panorama.catalog.models import Product

        prefetch_related_objects(
            inside,
            Prefetch("alerts", _live_alerts(today), to_attr="live_alerts"),
            Prefetch("offers", Product.objects.order_by("name", "pk")),
        )
    memberships = (
        list(
            ListMembership.objects.filter(customer=customer)
            .select_related("static_list")
            .order_by("-joined_at", "-id")[:20]
        )
        if lists
        else []
    )
    alerts = []
    for segment in inside:
        for alert in segment.live_alerts:  # type: ignore[attr-defined]
            alert.segment = segment
            alerts.append(alert)
    return {
        "segments": inside,
        "lists": memberships,
        "alerts": alerts,
        "offers": eligible_offers(customer=customer, segments=inside),
    }


def segment_alerts(*, segment: Segment) -> list[SegmentAlert]:
    """A segment's alerts, live or not, for its page (one query)."""
    return list(segment.alerts.order_by("-active", "-created_at", "-id"))


def segment_alert_get(*, user: User | None, alert_id: int) -> SegmentAlert:
    found = (
        SegmentAlert.objects.filter(segment__in=segments_visible_to(user).values("pk"))
        .select_related("segment")
        .filter(pk=alert_id)
        .first()
        if 0 < alert_id < 2**63
        else None
    )
    if found is None:
        raise NotFound(_("There is no segment alert %(id)s.") % {"id": alert_id})
    return found


__all__ = [
    "Offer",
    "customer_segments",
    "eligible_offers",
    "segment_alert_get",
    "segment_alerts",
    "offer_restrictions",
    "segment_members",
    "segment_scope",
    "segment_visible_get",
    "segments_visible_to",
]
