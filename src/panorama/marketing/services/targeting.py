"""Segment-level targeting: a segment's priority, the team it is kept to, the offers its
customers are eligible for, and its alerts (shown on the ficha of its customers)."""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from panorama.accounts.models import Team, User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import ValidationFailed

from ..models import Segment, SegmentAlert

MAX_PRIORITY = 100
MAX_OFFERS = 50


def _ensure_visible(by: User | None, segment: Segment) -> None:
    """A segment kept to a team another user does not see is not his to change."""
    from ..selectors import segment_visible_get

    segment_visible_get(user=by, segment_id=segment.pk)


@transaction.atomic
def segment_targeting_set(
    *,
    by: User | None,
    segment: Segment,
    priority: int,
    team_id: int | None = None,
    offer_ids: list[int] | None = None,
) -> Segment:
    """Set the segment's priority (0 to 100), the team it is kept to (None: the whole
    staff) and its offers (active catalogue products; an unknown id is refused, never
    dropped)."""
    from panorama.catalog.models import Product

    ensure_can(by, "marketing.build_segments")
    _ensure_visible(by, segment)
    if isinstance(priority, bool) or not isinstance(priority, int):
        raise ValidationFailed(_("The priority is a whole number."), field="priority")
    if not 0 <= priority <= MAX_PRIORITY:
        raise ValidationFailed(
            _("The priority is between 0 and %(max)s.") % {"max": MAX_PRIORITY}, field="priority"
        )
    if team_id is not None and not Team.objects.filter(pk=team_id).exists():
        raise ValidationFailed(_("There is no team %(id)s.") % {"id": team_id}, field="team_id")
    wanted = list(dict.fromkeys(offer_ids or []))
    if len(wanted) > MAX_OFFERS:
        raise ValidationFailed(
            _("A segment has at most %(n)s offers.") % {"n": MAX_OFFERS}, field="offer_ids"
        )
    storable = [p for p in wanted if isinstance(p, int) and 0 < p < 2**63]
    products = {p.pk: p for p in Product.objects.filter(pk__in=storable)}
    unknown = [str(p) for p in wanted if p not in products]
    if unknown:
        raise ValidationFailed(
            _("There is no product %(ids)s.") % {"ids": ", ".join(unknown[:10])},
            field="offer_ids",
        )
    inactive = [p.name for p in products.values() if not p.active]
    if inactive:
        raise ValidationFailed(
            _("%(names)s is no longer sold: it cannot be offered.")
            % {"names": ", ".join(sorted(inactive))},
            field="offer_ids",
        )
    segment.priority = priority
    segment.team_id = team_id
    segment.save(update_fields=["priority", "team", "updated_at"])
    segment.offers.set(list(products.values()))
    emit("segment.saved", segment_id=segment.pk, created=False, by=by.pk if by else None)
    return segment


@transaction.atomic
def segment_alert_save(
    *,
    by: User | None,
    segment: Segment,
    text: str,
    level: str = SegmentAlert.Level.INFO,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    active: bool = True,
    alert: SegmentAlert | None = None,
) -> SegmentAlert:
    """Create a segment's alert or change one: whoever opens the ficha of a customer in
    the segment (and may see the segment) reads it while it is active and within its
    dates."""
    ensure_can(by, "marketing.build_segments")
    _ensure_visible(by, segment)
    if alert is not None and alert.segment_id != segment.pk:
        raise ValidationFailed(_("The alert belongs to another segment."), field="segment")
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("A segment alert needs a text."), field="text")
    if len(text) > 500:
        raise ValidationFailed(_("A segment alert is at most 500 characters long."), field="text")
    if level not in SegmentAlert.Level.values:
        raise ValidationFailed(
            _("Unknown level %(level)s: info or warning.") % {"level": level}, field="level"
        )
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationFailed(_("The alert ends before it starts."), field="ends_on")
    created = alert is None
    alert = alert or SegmentAlert(segment=segment, created_by=by)
    alert.text, alert.level, alert.active = text, level, bool(active)
    alert.starts_on, alert.ends_on = starts_on, ends_on
    alert.save()
    emit(
        "segment.alert_saved",
        alert_id=alert.pk,
        segment_id=segment.pk,
        active=alert.active,
        created=created,
        by=by.pk if by else None,
    )
    return alert
