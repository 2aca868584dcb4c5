"""Segments and static lists."""

from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, ValidationFailed
from panorama.core.validation import rules_for
from panorama.customers.selectors import customers_visible_to

from .. import rules as segment_rules
from ..models import ListMembership, Segment, StaticList
from ..selectors import segment_customers

MAX_LIST_SIZE = 1_000_000


@transaction.atomic
def segment_save(
    *,
    by: User | None,
    name: str,
    rules: Any,
    description: str = "",
    segment: Segment | None = None,
) -> Segment:
    """Create a segment or change one; the rules are validated (a bad field or type is a
    422 naming it) and stored normalised."""
    ensure_can(by, "marketing.build_segments")
    checked = segment_rules.validate(rules)
    created = segment is None
    segment = segment or Segment(owner=by)
    segment.name = (name or "").strip()
    segment.description = (description or "").strip()
    segment.rules = checked
    if not segment.name:
        raise ValidationFailed(_("A segment needs a name."), field="name")
    rules_for(Segment).check(segment)
    segment.save()
    emit("segment.saved", segment_id=segment.pk, created=created, by=by.pk if by else None)
    return segment


@transaction.atomic
def segment_delete(*, by: User | None, segment: Segment) -> None:
    ensure_can(by, "marketing.build_segments")
    if segment.campaigns.exists():
        raise ValidationFailed(
            _("The segment is the target of a campaign: it cannot be deleted."), field="segment"
        )
    try:
        with transaction.atomic():
            segment.delete()
    except ProtectedError as exc:
        # Another app keeps it: an SLA policy naming it, or a loyalty bonus restricted to it.
        kept_by = {o._meta.label_lower for o in exc.protected_objects}
        if "service.slapolicy" in kept_by:
            raise ValidationFailed(
                _("An SLA policy names the segment: it cannot be deleted."), field="segment"
            ) from None
        raise ValidationFailed(
            _("The segment is used by a loyalty rule: it cannot be deleted."), field="segment"
        ) from None


def _list_new(*, by: User | None, name: str, segment: Segment | None = None) -> StaticList:
    static_list = StaticList(name=(name or "").strip(), segment=segment, owner=by)
    if not static_list.name:
        raise ValidationFailed(_("A list needs a name."), field="name")
    rules_for(StaticList).check(static_list)
    static_list.save()
    return static_list


def _apply(
    static_list: StaticList, *, join: set[int], leave: set[int], by: User | None
) -> tuple[int, int]:
    now = timezone.now()
    ListMembership.objects.bulk_create(
        [
            ListMembership(static_list=static_list, customer_id=c, joined_at=now)
            for c in sorted(join)
        ],
        batch_size=2000,
    )
    left = 0
    if leave:
        ids = sorted(leave)
        for start in range(0, len(ids), 2000):
            left += ListMembership.objects.filter(
                static_list=static_list,
                customer_id__in=ids[start : start + 2000],
                left_at__isnull=True,
            ).update(left_at=now)
    emit(
        "list.changed",
        list_id=static_list.pk,
        joined=len(join),
        left=left,
        by=by.pk if by else None,
    )
    if join:
        from .journeys import journeys_enrol

        # Whoever joins enters the journeys started by joining this list.
        journeys_enrol(trigger="list_joined", key=static_list.pk, customer_ids=sorted(join))
    return len(join), left


def _current(static_list: StaticList, by: User | None) -> set[int]:
    """The members ``by`` sees: a snapshot never removes customers he cannot see."""
    visible = customers_visible_to(by).values("pk")
    return set(
        ListMembership.objects.filter(
            static_list=static_list, left_at__isnull=True, customer_id__in=visible
        ).values_list("customer_id", flat=True)
    )


@transaction.atomic
def list_snapshot(
    *,
    by: User | None,
    segment: Segment,
    name: str = "",
    static_list: StaticList | None = None,
) -> tuple[StaticList, int, int]:
    """Freeze the segment's current customers into a list (new, or an existing one:
    who is no longer in the segment leaves, who is new joins). (list, joined, left)."""
    ensure_can(by, "marketing.build_segments")
    if static_list is None:
        static_list = _list_new(by=by, name=name or segment.name, segment=segment)
    now_in = set(segment_customers(user=by, rules=segment.rules).values_list("pk", flat=True))
    if len(now_in) > MAX_LIST_SIZE:
        raise ValidationFailed(_("A list holds at most a million customers."), field="segment")
    before = _current(static_list, by)
    joined, left = _apply(static_list, join=now_in - before, leave=before - now_in, by=by)
    return static_list, joined, left


def list_refresh(*, by: User | None, static_list: StaticList) -> tuple[int, int]:
    """Bring a segment's list up to date with its segment (list_snapshot): (joined,
    left). A list made by hand or imported follows no segment."""
    ensure_can(by, "marketing.build_segments")
    if static_list.segment is None:
        raise ValidationFailed(_("This list was made by hand: it has no segment."), field="list")
    _list, joined, left = list_snapshot(by=by, segment=static_list.segment, static_list=static_list)
    return joined, left


@transaction.atomic
def list_create(*, by: User | None, name: str, customer_ids: list[int] | None = None) -> StaticList:
    """A hand-made list, optionally with its first customers. Its name is one no other
    list has (case aside): people pick a hand-made list by its name."""
    ensure_can(by, "marketing.build_segments")
    name = (name or "").strip()
    _name_taken(name)
    static_list = _list_new(by=by, name=name)
    if customer_ids:
        list_members_change(by=by, static_list=static_list, add=customer_ids)
    return static_list


def _name_taken(name: str, *, other_than: StaticList | None = None) -> None:
    """People pick a hand-made list by its name: no two lists share one (case aside)."""
    taken = StaticList.objects.filter(name__iexact=name)
    if other_than is not None:
        taken = taken.exclude(pk=other_than.pk)
    if name and taken.exists():
        raise ValidationFailed(
            _("There is already a list named %(name)s: choose another name.") % {"name": name},
            field="name",
        )


@transaction.atomic
def list_rename(*, by: User | None, static_list: StaticList, name: str) -> StaticList:
    """A new name for a list, under the rules its creation follows (list_create): one,
    stripped, within the field's length, no other list's."""
    ensure_can(by, "marketing.build_segments")
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("A list needs a name."), field="name")
    _name_taken(name, other_than=static_list)
    before = static_list.name
    static_list.name = name
    try:
        rules_for(StaticList).check(static_list)
    except ValidationFailed:
        static_list.name = before  # the row on the page keeps the name it has
        raise
    if name == before:
        return static_list
    StaticList.objects.filter(pk=static_list.pk).update(name=name)
    emit("list.renamed", list_id=static_list.pk, name=name, by=by.pk if by else None)
    return static_list


@transaction.atomic
def list_members_change(
    *,
    by: User | None,
    static_list: StaticList,
    add: list[int] | None = None,
    remove: list[int] | None = None,
) -> tuple[int, int]:
    """Hand selection: add or remove customers (only ones ``by`` sees; an id he cannot
    see is refused as unknown, never silently dropped)."""
    ensure_can(by, "marketing.build_segments")
    wanted = {int(c) for c in add or []} | {int(c) for c in remove or []}
    storable = {c for c in wanted if 0 < c < 2**63}
    visible = set(customers_visible_to(by).filter(pk__in=storable).values_list("pk", flat=True))
    unknown = sorted(wanted - visible)
    if unknown:
        raise ValidationFailed(
            _("There is no customer %(ids)s.") % {"ids": ", ".join(map(str, unknown[:10]))},
            field="customer_ids",
        )
    current = _current(static_list, by)
    join = {int(c) for c in add or []} - current
    leave = {int(c) for c in remove or []} & current
    return _apply(static_list, join=join, leave=leave, by=by)


@transaction.atomic
def list_join(*, static_list: StaticList, customer_ids: list[int]) -> int:
    """The system joins customers to a list (a confirmed sign-up, a journey's step):
    those already in it stay as they are. How many joined."""
    current = set(
        ListMembership.objects.filter(
            static_list=static_list, left_at__isnull=True, customer_id__in=customer_ids
        ).values_list("customer_id", flat=True)
    )
    joined, _left = _apply(static_list, join=set(customer_ids) - current, leave=set(), by=None)
    return joined


def list_user(static_list: StaticList) -> str:
    """What keeps a list (a campaign sent or to send to it, a journey it starts, a sign-up
    form that joins people to it), as the reason it cannot be deleted; "" for nothing."""
    campaign = static_list.campaigns.order_by("pk").values_list("name", flat=True).first()
    if campaign is not None:
        return _("The campaign “%(name)s” targets it: it cannot be deleted.") % {"name": campaign}
    journey = static_list.journeys.order_by("pk").values_list("name", flat=True).first()
    if journey is not None:
        return _("The journey “%(name)s” starts from it: it cannot be deleted.") % {"name": journey}
    form = static_list.signup_forms.order_by("pk").values_list("name", flat=True).first()
    if form is not None:
        return _("The sign-up form “%(name)s” joins people to it: it cannot be deleted.") % {
            "name": form
        }
    return ""


@transaction.atomic
def list_delete(*, by: User | None, static_list: StaticList) -> None:
    """Delete a list nothing uses (``list_user``; refused with what does) and its
    memberships: its customers stay as they are."""
    ensure_can(by, "marketing.build_segments")
    static_list = StaticList.objects.select_for_update().get(pk=static_list.pk)
    used = list_user(static_list)
    if used:
        raise Conflict(used, field="list")
    list_id, name = static_list.pk, static_list.name
    try:
        with transaction.atomic():
            static_list.delete()
    except ProtectedError:
        # Kept by a record of another app added since ``list_user`` was written.
        raise Conflict(
            _("Another record uses the list: it cannot be deleted."), field="list"
        ) from None
    emit("list.deleted", list_id=list_id, name=name, by=by.pk if by else None)
