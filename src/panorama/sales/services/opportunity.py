"""Opening opportunities and moving them through the stages of their pipeline."""

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.accounts.models import Team, User
from panorama.accounts.permissions import ensure_can
from panorama.channels.models import Interaction
from panorama.channels.services import interaction_record
from panorama.core.events import emit
from panorama.core.exceptions import ValidationFailed
from panorama.core.services import field_history_record, snapshot
from panorama.core.validation import rules_for
from panorama.customers.selectors import customer_get
from panorama.customers.services.customer import assignment_resolve

from ..models import Competitor, LostReason, Opportunity, Stage, StageChange
from ..selectors import opportunity_get, pipeline_get, to_company_currency

_REQUIRED_MESSAGES = {
    "amount": lambda stage: _("An opportunity needs an amount to enter “%(stage)s”."),
    "expected_close": lambda stage: _(
        "An opportunity needs an expected close date to enter “%(stage)s”."
    ),
    "next_step": lambda stage: _("An opportunity needs a next step to enter “%(stage)s”."),
    "lost_reason": lambda stage: _("Say why it was lost to move it to “%(stage)s”."),
}


def _check_requirements(opportunity: Opportunity, stage: Stage) -> None:
    """Every field the stage requires, all missing ones reported at once."""
    errors: dict[str, list[str]] = {}
    for field in stage.requires():
        value = getattr(opportunity, f"{field}_id" if field == "lost_reason" else field)
        if value in (None, "") or (field == "amount" and value <= 0):
            errors[field] = [_REQUIRED_MESSAGES[field](stage) % {"stage": stage.name}]
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, field=next(iter(errors)), errors=errors)


def _lost_reason(lost_reason_id: int | None) -> LostReason | None:
    if lost_reason_id is None:
        return None
    reason = LostReason.objects.filter(pk=lost_reason_id, active=True).first()
    if reason is None:
        raise ValidationFailed(
            _("Lost reason %(id)s does not exist.") % {"id": lost_reason_id}, field="lost_reason"
        )
    return reason


def _timeline(opportunity: Opportunity, *, by: User | None, subject: str, body: str = "") -> None:
    # Recorded by the system on the user's behalf: a rep may own an opportunity of a
    # customer outside his own book (his team's), and the move must still be told.
    interaction_record(
        customer_id=opportunity.customer_id,
        by=None,
        agent=by,
        channel=Interaction.Channel.NOTE,
        direction=Interaction.Direction.INTERNAL,
        subject=subject[:200],
        body=body,
        related=opportunity,
        metadata={"kind": "opportunity", "status": opportunity.status},
    )


@transaction.atomic
def opportunity_create(
    *,
    by: User | None,
    customer_id: int,
    name: str,
    pipeline_id: int | None = None,
    stage_id: int | None = None,
    amount: Decimal | int | str = 0,
    currency: str = "",
    expected_close: datetime.date | None = None,
    probability: int | None = None,
    next_step: str = "",
    next_step_date: datetime.date | None = None,
    owner: User | None = None,
    team: Team | None = None,
    competitor_ids: list[int] | None = None,
) -> Opportunity:
    """Open an opportunity for a customer the user sees, in a pipeline's first open
    stage (or ``stage_id``), owned by ``owner`` (default: the user) in ``team``
    (default: the customer's team)."""
    ensure_can(by, "sales.edit")
    customer = customer_get(user=by, customer_id=customer_id)
    pipeline = pipeline_get(pipeline_id=pipeline_id)
    stages = list(pipeline.stages.order_by("position", "id"))
    if stage_id is not None:
        stage = next((s for s in stages if s.pk == stage_id), None)
        if stage is None:
            raise ValidationFailed(
                _("Stage %(id)s is not a stage of the pipeline “%(pipeline)s”.")
                % {"id": stage_id, "pipeline": pipeline.name},
                field="stage",
            )
    else:
        stage = next((s for s in stages if s.kind == Stage.Kind.OPEN), None)
        if stage is None:
            raise ValidationFailed(
                _("The pipeline “%(pipeline)s” has no open stage.") % {"pipeline": pipeline.name},
                field="pipeline",
            )
    now = timezone.now()
    opportunity = Opportunity(
        customer=customer,
        pipeline=pipeline,
        stage=stage,
        name=(name or "").strip(),
        status=stage.kind,
        amount=Decimal(str(amount or 0)),
        currency=(currency or pipeline.currency).upper(),
        expected_close=expected_close,
        probability=probability,
        next_step=(next_step or "").strip(),
        next_step_date=next_step_date,
        owner=owner if owner is not None else by,
        team=team if team is not None else customer.team,
        stage_entered_at=now,
        closed_at=now if stage.is_closed else None,
    )
    if not opportunity.name:
        raise ValidationFailed(_("An opportunity needs a name."), field="name")
    if opportunity.amount < 0:
        raise ValidationFailed(_("An amount cannot be negative."), field="amount")
    rules_for(Opportunity).check(opportunity)
    opportunity.amount_base = to_company_currency(opportunity.amount, currency=opportunity.currency)
    _check_requirements(opportunity, stage)
    opportunity.save()
    if competitor_ids:
        competitors = list(Competitor.objects.filter(pk__in=competitor_ids))
        if len(competitors) != len(set(competitor_ids)):
            raise ValidationFailed(_("A competitor given does not exist."), field="competitors")
        opportunity.competitors.set(competitors)
    StageChange.objects.create(
        opportunity=opportunity, from_stage=None, to_stage=stage, by=by, at=now
    )
    _timeline(
        opportunity,
        by=by,
        subject=_("Opportunity opened: %(name)s") % {"name": opportunity.name},
    )
    emit(
        "opportunity.created",
        opportunity_id=opportunity.pk,
        customer_id=customer.pk,
        pipeline_id=pipeline.pk,
        stage_id=stage.pk,
        by=by.pk if by else None,
    )
    return opportunity


# What a move writes to the opportunity's row (``updated_at``: the warehouse's refresh).
MOVED_FIELDS = [
    "stage",
    "status",
    "lost_reason",
    "lost_note",
    "stage_entered_at",
    "closed_at",
    "updated_at",
]


@transaction.atomic
def opportunity_move(
    *,
    by: User | None,
    opportunity_id: int,
    stage_id: int,
    lost_reason_id: int | None = None,
    lost_note: str = "",
    at: datetime.datetime | None = None,
) -> Opportunity:
    """Move an opportunity to another stage of its pipeline.

    The stage's required fields must be filled (a lost stage needs the lost reason,
    given here); every move is one ``StageChange`` (from → to, who, when, time in the
    previous stage), one timeline entry and its events. A refused move changes nothing.

    Six statements (seven with a lost reason given): the opportunity locked with its
    stage, customer and lost reason joined, the target stage, the UPDATE of the moved
    columns, the stage change, the timeline entry (no savepoint) and the outbox rows
    when a durable subscriber takes the events. The opportunity returned has its stage
    and customer loaded and carries ``moved_from``: the stage it left (``None`` when it
    was in that stage already).
    """
    ensure_can(by, "sales.edit")
    opportunity = opportunity_get(user=by, opportunity_id=opportunity_id, for_update=True)
    opportunity.moved_from = None
    stage = Stage.objects.filter(pk=stage_id).order_by().first()
    if stage is None or stage.pipeline_id != opportunity.pipeline_id:
        raise ValidationFailed(
            _("Stage %(id)s is not a stage of this opportunity's pipeline.") % {"id": stage_id},
            field="stage",
        )
    previous = opportunity.stage
    if stage.pk == previous.pk:
        return opportunity
    now = at or timezone.now()
    opportunity.stage = stage
    opportunity.status = stage.kind
    if stage.kind == Stage.Kind.LOST:
        reason = _lost_reason(lost_reason_id) if lost_reason_id else None
        opportunity.lost_reason = reason or opportunity.lost_reason
        opportunity.lost_note = (lost_note or "").strip() or opportunity.lost_note
    else:
        opportunity.lost_reason = None
        opportunity.lost_note = ""
    _check_requirements(opportunity, stage)
    seconds = max(0, int((now - opportunity.stage_entered_at).total_seconds()))
    opportunity.stage_entered_at = now
    opportunity.closed_at = now if stage.is_closed else None
    opportunity.save(update_fields=MOVED_FIELDS)
    opportunity.moved_from = previous
    StageChange.objects.create(
        opportunity=opportunity,
        from_stage=previous,
        to_stage=stage,
        by=by,
        at=now,
        seconds_in_previous=seconds,
    )
    names = {"name": opportunity.name, "from": previous.name, "to": stage.name}
    if stage.kind == Stage.Kind.WON:
        subject = _("Opportunity won: %(name)s") % names
    elif stage.kind == Stage.Kind.LOST:
        subject = _("Opportunity lost: %(name)s (%(reason)s)") % {
            **names,
            "reason": opportunity.lost_reason.name if opportunity.lost_reason else "",
        }
    else:
        subject = _("Opportunity %(name)s: %(from)s → %(to)s") % names
    _timeline(opportunity, by=by, subject=subject, body=opportunity.lost_note)
    payload = {"opportunity_id": opportunity.pk, "customer_id": opportunity.customer_id}
    by_id = by.pk if by else None
    emit(
        "opportunity.stage_changed",
        **payload,
        from_stage_id=previous.pk,
        to_stage_id=stage.pk,
        status=opportunity.status,
        by=by_id,
    )
    if stage.kind == Stage.Kind.WON:
        emit("opportunity.won", **payload, amount_base=str(opportunity.amount_base), by=by_id)
    elif stage.kind == Stage.Kind.LOST:
        assert opportunity.lost_reason_id is not None  # _check_requirements made sure
        emit("opportunity.lost", **payload, lost_reason_id=opportunity.lost_reason_id, by=by_id)
    return opportunity


CENTS = Decimal("0.01")


def _amount(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else 0)).quantize(CENTS)
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("An amount is a number."), field="amount") from None
    if not amount.is_finite():
        raise ValidationFailed(_("An amount is a number."), field="amount")
    return amount


UPDATABLE = {
    "name",
    "amount",
    "currency",
    "expected_close",
    "probability",
    "next_step",
    "next_step_date",
    "owner_id",
    "team_id",
    "competitor_ids",
    "lost_note",
    "products",
}
HISTORY_FIELDS = [
    "name",
    "amount",
    "currency",
    "amount_base",
    "expected_close",
    "probability",
    "next_step",
    "next_step_date",
    "owner_id",
    "team_id",
    "lost_note",
]


@transaction.atomic
def opportunity_update(
    *, by: User | None, opportunity_id: int, changes: dict[str, Any]
) -> Opportunity:
    """Change an opportunity's details (``changes``: field → new value, among
    ``UPDATABLE``). The amount in the company currency is recomputed; a new owner or
    team follows the customers' assignment rule (a rep files under his own teams and
    cannot hand a record out of his sight); the stage's required fields stay filled.
    Field history and ``opportunity.updated``."""
    ensure_can(by, "sales.edit")
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed: %(f)s.") % {"f": ", ".join(sorted(unknown))},
            field=sorted(unknown)[0],
        )
    opportunity = opportunity_get(user=by, opportunity_id=opportunity_id, for_update=True)
    before = snapshot(opportunity, HISTORY_FIELDS)
    team_before = opportunity.team_id
    competitors_before = set(opportunity.competitors.values_list("pk", flat=True))
    for name, value in changes.items():
        if name in ("competitor_ids", "products"):
            continue
        if name in {"name", "next_step", "lost_note"}:
            value = (value or "").strip()
        elif name == "currency":
            value = (value or "").strip().upper()
        elif name == "amount":
            value = _amount(value)
        setattr(opportunity, name, value)
    if not opportunity.name:
        raise ValidationFailed(_("An opportunity needs a name."), field="name")
    if opportunity.amount < 0:
        raise ValidationFailed(_("An amount cannot be negative."), field="amount")
    if opportunity.probability is not None and not 0 <= opportunity.probability <= 100:
        raise ValidationFailed(_("A probability is between 0 and 100."), field="probability")
    code = opportunity.currency
    if len(code) != 3 or not (code.isascii() and code.isalpha()):
        raise ValidationFailed(_("A currency is a three-letter ISO code."), field="currency")
    rules_for(Opportunity).check(opportunity)
    opportunity.amount_base = to_company_currency(
        opportunity.amount, currency=opportunity.currency
    ).quantize(CENTS)
    if {"owner_id", "team_id"} & set(changes):
        _owner, team = assignment_resolve(
            owner_id=opportunity.owner_id, team_id=opportunity.team_id
        )
        if opportunity.team_id != team_before:
            ensure_can(by, "customers.assign_team", obj=team)
        ensure_can(by, "customers.assign", obj=opportunity)
    _check_requirements(opportunity, opportunity.stage)
    opportunity.save()
    changed = [
        c.field
        for c in field_history_record(
            instance=opportunity,
            before=before,
            after=snapshot(opportunity, HISTORY_FIELDS),
            user=by,
            customer_id=opportunity.customer_id,
        )
    ]
    if "competitor_ids" in changes:
        wanted = set(changes["competitor_ids"] or [])
        competitors = list(Competitor.objects.filter(pk__in=wanted))
        if len(competitors) != len(wanted):
            raise ValidationFailed(_("A competitor given does not exist."), field="competitors")
        if wanted != competitors_before:
            opportunity.competitors.set(competitors)
            changed.append("competitors")
    if "products" in changes and _lines_set(opportunity, changes["products"]):
        changed.append("products")
    if changed:
        emit(
            "opportunity.updated",
            opportunity_id=opportunity.pk,
            customer_id=opportunity.customer_id,
            fields=changed,
            by=by.pk if by else None,
        )
    return opportunity


MAX_QUANTITY = Decimal("9999999999.99")


def _lines_set(opportunity: Opportunity, products: list[dict] | None) -> bool:
    """Make the opportunity's products exactly ``products`` (``product_id`` and
    ``quantity`` each); whether anything changed."""
    from panorama.catalog.models import Product

    from ..models import OpportunityProduct

    wanted: dict[int, Decimal] = {}
    for line in products or []:
        product_id = line.get("product_id")
        try:
            quantity = Decimal(str(line.get("quantity", 1))).quantize(CENTS)
        except (InvalidOperation, ValueError):
            raise ValidationFailed(_("A quantity is a number."), field="products") from None
        if not quantity.is_finite() or not 0 < quantity <= MAX_QUANTITY:
            raise ValidationFailed(
                _("A quantity is more than zero (and less than ten thousand million)."),
                field="products",
            )
        if not isinstance(product_id, int) or product_id in wanted:
            raise ValidationFailed(_("List each product once."), field="products")
        if not 0 < product_id < 2**63:
            raise ValidationFailed(
                _("Product %(id)s does not exist or is no longer sold.") % {"id": product_id},
                field="products",
            )
        wanted[product_id] = quantity
    sold = set(
        Product.objects.filter(pk__in=list(wanted), active=True).values_list("pk", flat=True)
    )
    missing = sorted(set(wanted) - sold)
    if missing:
        raise ValidationFailed(
            _("Product %(id)s does not exist or is no longer sold.") % {"id": missing[0]},
            field="products",
        )
    current = {line.product_id: line.quantity for line in opportunity.lines.all()}
    if current == wanted:
        return False
    opportunity.lines.all().delete()
    OpportunityProduct.objects.bulk_create(
        OpportunityProduct(opportunity=opportunity, product_id=pk, quantity=quantity)
        for pk, quantity in wanted.items()
    )
    return True
