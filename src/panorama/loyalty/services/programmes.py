"""Designing a programme: the programme, its tiers, earning rules and rewards
(``loyalty.manage``). Each write checks the model's rules and says which field is wrong."""

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import can, ensure_can
from panorama.catalog.models import Category, Product
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from panorama.core.validation import rules_for
from panorama.marketing.models import Segment

from ..models import EarningRule, Programme, Reward, Tier

CURRENCY = re.compile(r"^[A-Z]{3}$")
MAX_MULTIPLIER = Decimal("99.99")


def _decimal(value: Any, field: str, *, low: Decimal, high: Decimal) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("%(v)s is not a number.") % {"v": value}, field=field) from None
    if not number.is_finite() or not low <= number <= high:
        raise ValidationFailed(
            _("Give a number from %(low)s to %(high)s.") % {"low": low, "high": high}, field=field
        )
    return number.quantize(Decimal("0.01"))


def _whole(value: Any, field: str, *, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationFailed(
            _("Give a whole number from %(low)s to %(high)s.") % {"low": low, "high": high},
            field=field,
        )
    return value


def _saved(programme: Programme, by: User | None) -> None:
    emit("loyalty.programme_saved", programme_id=programme.pk, by=by.pk if by else None)


@transaction.atomic
def programme_save(
    *,
    by: User | None,
    programme: Programme | None = None,
    name: str,
    points_name: str = "puntos",
    currency: str = "EUR",
    points_per_unit: Any = 1,
    expiry_months: int = 24,
    qualification_months: int = 12,
    active: bool = True,
) -> Programme:
    """Create a programme, or change ``programme``."""
    ensure_can(by, "loyalty.manage")
    currency = (currency or "").strip().upper()
    if not CURRENCY.match(currency):
        raise ValidationFailed(_("A currency is a three-letter code (EUR)."), field="currency")
    programme = programme or Programme()
    programme.name = (name or "").strip()
    programme.points_name = (points_name or "").strip()
    programme.currency = currency
    programme.points_per_unit = _decimal(
        points_per_unit, "points_per_unit", low=Decimal(0), high=Decimal(1000)
    )
    programme.expiry_months = _whole(expiry_months, "expiry_months", low=0, high=240)
    programme.qualification_months = _whole(
        qualification_months, "qualification_months", low=1, high=120
    )
    programme.active = bool(active)
    rules_for(Programme).check(programme)
    if Programme.objects.filter(name=programme.name).exclude(pk=programme.pk).exists():
        raise Conflict(
            _("There is already a programme called %(name)s.") % {"name": programme.name},
            field="name",
        )
    programme.save()
    _saved(programme, by)
    return programme


@transaction.atomic
def tier_add(
    *,
    by: User | None,
    programme: Programme,
    name: str,
    threshold: int,
    multiplier: Any = 1,
    benefits: str = "",
) -> Tier:
    ensure_can(by, "loyalty.manage")
    tier = Tier(
        programme=programme,
        name=(name or "").strip(),
        threshold=_whole(threshold, "threshold", low=0, high=10**9),
        multiplier=_decimal(multiplier, "multiplier", low=Decimal("0.01"), high=MAX_MULTIPLIER),
        benefits=(benefits or "").strip(),
    )
    rules_for(Tier).check(tier)
    if programme.tiers.filter(name=tier.name).exists():
        raise Conflict(_("This programme already has that tier."), field="name")
    if programme.tiers.filter(threshold=tier.threshold).exists():
        raise Conflict(_("Another tier already starts at these points."), field="threshold")
    tier.save()
    _saved(programme, by)
    return tier


@transaction.atomic
def tier_remove(*, by: User | None, tier: Tier) -> None:
    """Remove a tier; its members have none until the next evaluation places them."""
    ensure_can(by, "loyalty.manage")
    programme = tier.programme
    tier.delete()
    _saved(programme, by)


def _dates(starts_on: datetime.date | None, ends_on: datetime.date | None) -> None:
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationFailed(_("A campaign cannot end before it starts."), field="ends_on")


def _segment(by: User | None, segment_id: Any) -> Segment:
    """The marketing segment a rule is restricted to: one ``by`` may use (segments are
    built by marketing; a bonus cannot target what its author could not build or
    read) and whose rules still hold (a custom field deleted since breaks them)."""
    from panorama.marketing import selectors as marketing

    if not can(by, "marketing.build_segments"):
        raise PermissionDenied(_("Only those who build segments may restrict a rule to a segment."))
    ok = isinstance(segment_id, int) and not isinstance(segment_id, bool) and 0 < segment_id < 2**63
    segment = marketing.segments_all().filter(pk=segment_id).first() if ok else None
    if segment is None:
        raise ValidationFailed(
            _("There is no segment %(id)s.") % {"id": segment_id}, field="segment_id"
        )
    try:
        marketing.segment_customers(user=by, rules=segment.rules)
    except ValidationFailed as exc:
        raise ValidationFailed(
            _("The segment %(name)s cannot be used: %(error)s")
            % {"name": segment.name, "error": exc.message},
            field="segment_id",
        ) from None
    return segment


RULE_FIELDS = frozenset(
    {
        "kind",
        "name",
        "product_id",
        "category_id",
        "extra_points",
        "multiplier",
        "starts_on",
        "ends_on",
        "segment_id",
    }
)


def _rule_fill(
    by: User | None,
    rule: EarningRule,
    *,
    kind: str,
    name: str,
    product_id: int | None = None,
    category_id: int | None = None,
    extra_points: int = 0,
    multiplier: Any = 1,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    segment_id: int | None = None,
) -> None:
    """The one validation of an earning rule, for ``rule_add`` and ``rule_edit``: sets
    every field of ``rule`` from the values or raises naming the field. What a kind does
    not use is reset (a campaign has no product, a product rule no multiplier). A
    segment is checked when it is set or changed; the one a rule already has stays."""
    rule.kind, rule.name = kind, (name or "").strip()
    rules_for(EarningRule).check(rule)
    rule.product_id = rule.category_id = None
    rule.extra_points, rule.multiplier = 0, Decimal(1)
    if kind == EarningRule.Kind.PRODUCT:
        if not product_id or not Product.objects.filter(pk=product_id).exists():
            raise ValidationFailed(_("Choose the product that earns."), field="product_id")
        rule.product_id = product_id
    elif kind == EarningRule.Kind.CATEGORY:
        if not category_id or not Category.objects.filter(pk=category_id).exists():
            raise ValidationFailed(_("Choose the category that earns."), field="category_id")
        rule.category_id = category_id
    if kind in (EarningRule.Kind.PRODUCT, EarningRule.Kind.CATEGORY):
        rule.extra_points = _whole(extra_points, "extra_points", low=1, high=10**6)
    else:
        if not starts_on or not ends_on:
            raise ValidationFailed(_("A bonus campaign needs its dates."), field="starts_on")
        rule.multiplier = _decimal(
            multiplier, "multiplier", low=Decimal("1.01"), high=MAX_MULTIPLIER
        )
    _dates(starts_on, ends_on)
    rule.starts_on, rule.ends_on = starts_on, ends_on
    if segment_id is None:
        rule.segment = None
    elif segment_id != rule.segment_id:
        rule.segment = _segment(by, segment_id)


@transaction.atomic
def rule_add(
    *,
    by: User | None,
    programme: Programme,
    kind: str,
    name: str,
    product_id: int | None = None,
    category_id: int | None = None,
    extra_points: int = 0,
    multiplier: Any = 1,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    segment_id: int | None = None,
) -> EarningRule:
    """An earning rule: extra points per unit of a product or of a category, or a bonus
    campaign multiplying the points earned between two dates; with ``segment_id``, only
    for the members in that marketing segment when they earn."""
    ensure_can(by, "loyalty.manage")
    rule = EarningRule(programme=programme)
    _rule_fill(
        by,
        rule,
        kind=kind,
        name=name,
        product_id=product_id,
        category_id=category_id,
        extra_points=extra_points,
        multiplier=multiplier,
        starts_on=starts_on,
        ends_on=ends_on,
        segment_id=segment_id,
    )
    rule.save()
    _saved(programme, by)
    return rule


def _unknown(values: dict[str, Any]) -> None:
    unknown = set(values) - RULE_FIELDS
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed: %(f)s.") % {"f": ", ".join(sorted(unknown))},
            field=sorted(unknown)[0],
        )


@transaction.atomic
def rule_edit(*, by: User | None, rule: EarningRule, changes: dict[str, Any]) -> EarningRule:
    """Change some fields of an earning rule (the others keep their values), checked as
    at creation. Never retroactive: points already earned stay as they were (the ledger
    is not recomputed, and a cancelled order gives back what it earned then); an order
    that earns after the edit earns by the new values. A retired rule stays retired."""
    ensure_can(by, "loyalty.manage")
    _unknown(changes)
    locked = EarningRule.objects.select_for_update().select_related("programme").get(pk=rule.pk)
    values = {name: getattr(locked, name) for name in RULE_FIELDS} | changes
    _rule_fill(by, locked, **values)
    locked.save()
    _saved(locked.programme, by)
    return locked


@transaction.atomic
def rule_set_active(*, by: User | None, rule: EarningRule, active: bool) -> EarningRule:
    """Retire a rule (``active=False``) or put it back in force. Never deleted: the
    programme's history shows it. Retired, it earns nothing on orders that earn from
    then on; the points it gave stay. Back in force, it earns from then on only."""
    ensure_can(by, "loyalty.manage")
    rule.active = active
    rule.save(update_fields=["active"])
    _saved(rule.programme, by)
    return rule


@transaction.atomic
def reward_add(
    *, by: User | None, programme: Programme, name: str, cost: int, stock: int | None = None
) -> Reward:
    ensure_can(by, "loyalty.manage")
    reward = Reward(
        programme=programme,
        name=(name or "").strip(),
        cost=_whole(cost, "cost", low=1, high=10**9),
        stock=None if stock is None else _whole(stock, "stock", low=0, high=10**9),
    )
    rules_for(Reward).check(reward)
    try:
        with transaction.atomic():
            reward.save()
    except IntegrityError:
        raise Conflict(_("This programme already has that reward."), field="name") from None
    _saved(programme, by)
    return reward


@transaction.atomic
def reward_set_active(*, by: User | None, reward: Reward, active: bool) -> Reward:
    """Withdraw a reward from the catalogue or offer it again (never deleted: members'
    statements name it)."""
    ensure_can(by, "loyalty.manage")
    reward.active = active
    reward.save(update_fields=["active"])
    _saved(reward.programme, by)
    return reward
