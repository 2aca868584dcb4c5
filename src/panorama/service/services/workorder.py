"""Work orders: created from a case, a maintenance plan or by hand; dispatched to a
technician (by skill) and scheduled; started, signed by the customer and completed on
the technician's phone. Completion charges the contract's entitlements, updates the
asset's history and writes the customer's timeline."""

import datetime
import io
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.channels.models import Interaction
from panorama.channels.services import interaction_record
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, ValidationFailed
from panorama.core.validation import rules_for
from panorama.customers.models import Address
from panorama.customers.selectors import customer_get

from ..models import Asset, MaintenancePlan, ServiceContract, TechnicianProfile, WorkOrder
from ..selectors import case_get
from ..selectors.field import asset_coverage, asset_get, work_order_get

S = WorkOrder.Status
TRANSITIONS: dict[str, set[str]] = {
    S.NEW: {S.SCHEDULED, S.CANCELLED},
    S.SCHEDULED: {S.NEW, S.IN_PROGRESS, S.CANCELLED},
    S.IN_PROGRESS: {S.DONE, S.SCHEDULED, S.CANCELLED},
    S.DONE: set(),
    S.CANCELLED: set(),
}
DEFAULT_START = datetime.time(9, 0)  # a dragged order lands on the day's first free slot
DEFAULT_CHECKLIST = ("Check the installation", "Test it works", "Explain it to the customer")
MAX_SIGNATURE_BYTES = 2 * 1024 * 1024


def _checklist(items) -> list[dict]:
    return [
        {"label": str(label).strip()[:200], "done": False} for label in items if str(label).strip()
    ]


def _emit_status(order: WorkOrder, before: str, by: User | None) -> None:
    emit(
        "work_order.status_changed",
        work_order_id=order.pk,
        customer_id=order.customer_id,
        from_status=before,
        to_status=order.status,
        technician_id=order.technician_id,
        by=by.pk if by else None,
    )


@transaction.atomic
def work_order_create(
    *,
    by: User | None,
    customer_id: int | None = None,
    subject: str,
    description: str = "",
    asset_id: int | None = None,
    case_id: int | None = None,
    skill: str = "",
    duration_minutes: int = 60,
    checklist: list[str] | None = None,
    plan: MaintenancePlan | None = None,
    scheduled_start: datetime.datetime | None = None,
    area: str = "",
) -> WorkOrder:
    """A new work order for a customer (or the customer of ``case_id`` / ``asset_id``).
    Its area is ``area``, else the customer's primary address's region or city."""
    ensure_can(by, "service.edit")
    case = case_get(user=by, case_id=case_id) if case_id is not None else None
    asset = asset_get(user=by, asset_id=asset_id) if asset_id is not None else None
    if case is None and asset is None and customer_id is None:
        raise ValidationFailed(_("Say which customer the work order is for."), field="customer")
    if customer_id is None:
        customer_id = case.customer_id if case is not None else asset.customer_id  # type: ignore[union-attr]
    customer = customer_get(user=by, customer_id=customer_id)
    if case is not None and case.customer_id != customer.pk:
        raise ValidationFailed(_("The case is of another customer."), field="case")
    if asset is None and case is not None and case.asset_id is not None:
        asset = Asset.objects.filter(pk=case.asset_id).first()
    if asset is not None and asset.customer_id != customer.pk:
        raise ValidationFailed(_("The asset is of another customer."), field="asset")
    if not 5 <= duration_minutes <= 24 * 60:
        raise ValidationFailed(_("Plan between 5 minutes and 24 hours."), field="duration_minutes")
    order = WorkOrder(
        customer=customer,
        asset=asset,
        case=case,
        plan=plan,
        source=WorkOrder.Source.PLAN
        if plan
        else (WorkOrder.Source.CASE if case else WorkOrder.Source.MANUAL),
        subject=(subject or "").strip(),
        description=description or "",
        skill=(skill or "").strip().lower(),
        area=(area or "").strip() or _customer_area(customer.pk),
        duration_minutes=duration_minutes,
        checklist=_checklist(
            checklist if checklist is not None else [_(label) for label in DEFAULT_CHECKLIST]
        ),
        scheduled_start=scheduled_start,
        created_by=by,
    )
    if not order.subject:
        raise ValidationFailed(_("A work order needs a subject."), field="subject")
    rules_for(WorkOrder).check(order)
    coverage = asset_coverage(asset)
    if coverage.covered:
        order.contract = coverage.contract
    order.save()
    order.reference = f"WO-{order.pk:06d}"
    order.save(update_fields=["reference"])
    emit(
        "work_order.created",
        work_order_id=order.pk,
        customer_id=customer.pk,
        asset_id=order.asset_id,
        case_id=order.case_id,
        source=order.source,
        covered=coverage.covered,
        by=by.pk if by else None,
    )
    return order


def _customer_area(customer_id: int) -> str:
    """The region (else the city) of the customer's primary address, or of his first."""
    address = (
        Address.objects.filter(customer_id=customer_id)
        .order_by("-is_primary", "id")
        .values("region", "city")
        .first()
    )
    return ((address["region"] or address["city"]) if address else "")[:100]


def same_area(technician_area: str, order_area: str) -> bool:
    """Whether a technician covering ``technician_area`` (several separated by commas;
    empty: anywhere) may take a job in ``order_area`` (empty: anywhere)."""
    covered = {a.strip().casefold() for a in technician_area.split(",") if a.strip()}
    return not covered or not order_area.strip() or order_area.strip().casefold() in covered


def _technician(user_id: int) -> TechnicianProfile:
    profile = (
        TechnicianProfile.objects.filter(user_id=user_id, active=True, user__is_active=True)
        .select_related("user")
        .first()
    )
    if profile is None:
        raise ValidationFailed(
            _("User %(id)s is not an active technician.") % {"id": user_id}, field="technician"
        )
    return profile


def _first_free_slot(technician_id: int, day: datetime.date, exclude_id: int) -> datetime.datetime:
    """After the technician's last order that day, from 9:00."""
    start = timezone.make_aware(datetime.datetime.combine(day, DEFAULT_START))
    day_end = timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59)))
    last = (
        WorkOrder.objects.filter(
            technician_id=technician_id,
            scheduled_start__gte=timezone.make_aware(
                datetime.datetime.combine(day, datetime.time())
            ),
            scheduled_start__lte=day_end,
        )
        .exclude(pk=exclude_id)
        .exclude(status=S.CANCELLED)
        .order_by("-scheduled_start")
        .values_list("scheduled_start", "duration_minutes")
        .first()
    )
    if last is not None and last[0] is not None:
        end_of_last: datetime.datetime = last[0] + datetime.timedelta(minutes=last[1])
        start = max(start, end_of_last)
    return start


@transaction.atomic
def work_order_dispatch(
    *,
    by: User | None,
    work_order_id: int,
    technician_id: int | None,
    scheduled_start: datetime.datetime | None = None,
    day: datetime.date | None = None,
) -> WorkOrder:
    """Give the order to a technician having its skill (None: back to unassigned) and
    schedule it: at ``scheduled_start``, or on ``day`` at his first free slot when it
    had no time yet. A new order becomes scheduled."""
    ensure_can(by, "service.dispatch")
    order = work_order_get(user=by, work_order_id=work_order_id, for_update=True)
    if not order.is_open:
        raise Conflict(
            _("A work order that is %(s)s cannot be dispatched.")
            % {"s": WorkOrder.Status(order.status).label.lower()},
            field="status",
        )
    if order.status == S.IN_PROGRESS and technician_id != order.technician_id:
        raise Conflict(
            _("This work order is in progress: its technician cannot change now."),
            field="technician",
        )
    before = order.status
    if technician_id is None:
        order.technician = None
        order.status = S.NEW if order.status == S.SCHEDULED else order.status
    else:
        profile = _technician(technician_id)
        if order.skill and order.skill not in profile.skill_list():
            raise ValidationFailed(
                _("%(tech)s does not have the skill “%(skill)s” this work order needs.")
                % {
                    "tech": profile.user.get_full_name() or profile.user.username,
                    "skill": order.skill,
                },
                field="technician",
            )
        if not same_area(profile.area, order.area):
            raise ValidationFailed(
                _("%(tech)s covers %(covers)s; this work order is in %(area)s.")
                % {
                    "tech": profile.user.get_full_name() or profile.user.username,
                    "covers": profile.area,
                    "area": order.area,
                },
                field="technician",
            )
        order.technician = profile.user
        if scheduled_start is not None:
            order.scheduled_start = scheduled_start
        elif order.scheduled_start is None or (
            day is not None and timezone.localtime(order.scheduled_start).date() != day
        ):
            order.scheduled_start = _first_free_slot(
                profile.user_id, day or timezone.localdate(), order.pk
            )
        if order.status == S.NEW:
            order.status = S.SCHEDULED
    order.save(update_fields=["technician", "scheduled_start", "status", "updated_at"])
    emit(
        "work_order.dispatched",
        work_order_id=order.pk,
        technician_id=order.technician_id,
        scheduled_start=order.scheduled_start.isoformat() if order.scheduled_start else None,
        by=by.pk if by else None,
    )
    if order.status != before:
        _emit_status(order, before, by)
    return order


@transaction.atomic
def work_order_set_status(*, by: User | None, work_order_id: int, status: str) -> WorkOrder:
    """Start (in progress) or cancel a work order, or put it back; completing it is
    ``work_order_complete``."""
    ensure_can(by, "service.field_work")
    order = work_order_get(user=by, work_order_id=work_order_id, for_update=True)
    if status not in S.values:
        raise ValidationFailed(_("Unknown status %(value)s.") % {"value": status}, field="status")
    if status == order.status:
        return order
    if status == S.DONE:
        raise ValidationFailed(
            _("Complete the work order with its checklist, time and signature."), field="status"
        )
    if status not in TRANSITIONS[order.status]:
        raise Conflict(
            _("A work order that is %(from)s cannot become %(to)s.")
            % {"from": S(order.status).label.lower(), "to": S(status).label.lower()},
            field="status",
        )
    if status == S.IN_PROGRESS and order.technician_id is None:
        raise ValidationFailed(_("Dispatch it to a technician first."), field="technician")
    if status == S.CANCELLED:
        ensure_can(by, "service.dispatch")
    before = order.status
    order.status = status
    if status == S.IN_PROGRESS and order.started_at is None:
        order.started_at = timezone.now()
    order.save(update_fields=["status", "started_at", "updated_at"])
    _emit_status(order, before, by)
    return order


def _png_or_jpeg(content: bytes) -> str:
    """The image's format when ``content`` is a real PNG or JPEG, else a clear refusal."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
            kind = (image.format or "").lower()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        kind = ""
    if kind not in ("png", "jpeg"):
        raise ValidationFailed(
            _("The signature must be an image (PNG or JPEG); this file is not one."),
            field="signature",
        )
    return "png" if kind == "png" else "jpg"


@transaction.atomic
def work_order_sign(
    *, by: User | None, work_order_id: int, content: bytes, signed_by: str
) -> WorkOrder:
    """Keep the customer's signature (the PNG drawn on the technician's phone)."""
    ensure_can(by, "service.field_work")
    order = work_order_get(user=by, work_order_id=work_order_id, for_update=True)
    if order.status not in (S.SCHEDULED, S.IN_PROGRESS):
        raise Conflict(_("Only a scheduled or started work order can be signed."), field="status")
    signed_by = (signed_by or "").strip()
    if not signed_by:
        raise ValidationFailed(_("Write the name of who signs."), field="signed_by")
    if not content:
        raise ValidationFailed(_("The signature is empty: sign first."), field="signature")
    if len(content) > MAX_SIGNATURE_BYTES:
        raise ValidationFailed(
            _("The signature image is too large (2 MB at most)."), field="signature"
        )
    ext = _png_or_jpeg(content)
    order.signed_by = signed_by
    rules_for(WorkOrder).check(order)
    order.signature.save(f"{order.reference or order.pk}.{ext}", ContentFile(content), save=False)
    order.signed_at = timezone.now()
    order.save(update_fields=["signature", "signed_by", "signed_at", "updated_at"])
    emit("work_order.signed", work_order_id=order.pk, signed_by=signed_by, by=by.pk if by else None)
    return order


@transaction.atomic
def work_order_complete(
    *,
    by: User | None,
    work_order_id: int,
    minutes_spent: int,
    checklist_done: list[int] | None = None,
    notes: str = "",
) -> WorkOrder:
    """The technician finished: every checklist item ticked, the time spent, the
    customer's signature taken. Charges the covering contract (a visit, the hours),
    updates the asset's last service and writes the customer's timeline."""
    ensure_can(by, "service.field_work")
    order = work_order_get(user=by, work_order_id=work_order_id, for_update=True)
    if order.status not in (S.SCHEDULED, S.IN_PROGRESS):
        raise Conflict(
            _("A work order that is %(s)s cannot be completed.")
            % {"s": S(order.status).label.lower()},
            field="status",
        )
    if order.technician_id is None:
        raise ValidationFailed(_("Dispatch it to a technician first."), field="technician")
    if not isinstance(minutes_spent, int) or not 1 <= minutes_spent <= 24 * 60:
        raise ValidationFailed(
            _("Give the time spent, between 1 minute and 24 hours."), field="minutes_spent"
        )
    done = set(checklist_done or [])
    checklist = [dict(item, done=index in done) for index, item in enumerate(order.checklist)]
    missing = [item["label"] for item in checklist if not item["done"]]
    if missing:
        raise ValidationFailed(
            _("Tick every checklist item first: %(items)s.") % {"items": ", ".join(missing)},
            field="checklist",
        )
    if not order.signature:
        raise ValidationFailed(_("Take the customer's signature first."), field="signature")
    before = order.status
    now = timezone.now()
    order.checklist = checklist
    order.minutes_spent = minutes_spent
    order.notes = notes or ""
    order.status = S.DONE
    order.completed_at = now
    order.started_at = order.started_at or now
    rules_for(WorkOrder).check(order)
    coverage = asset_coverage(order.asset, timezone.localdate()) if order.asset else None
    if coverage is not None and coverage.covered and coverage.contract is not None:
        contract = ServiceContract.objects.select_for_update().get(pk=coverage.contract.pk)
        contract.visits_used += 1
        contract.hours_used += (Decimal(minutes_spent) / 60).quantize(Decimal("0.01"))
        contract.save(update_fields=["visits_used", "hours_used"])
        order.contract = contract
    elif order.contract_id is not None and coverage is not None and not coverage.covered:
        order.contract = None  # no longer covered: billable
    order.save()
    if order.asset_id is not None:
        Asset.objects.filter(pk=order.asset_id).update(last_serviced_on=timezone.localdate())
    parts = ", ".join(
        f"{m.quantity} × {m.part.name}" for m in order.part_moves.select_related("part")
    )
    body = "\n".join(
        filter(
            None,
            [
                order.notes,
                _("Asset: %(asset)s") % {"asset": order.asset} if order.asset else "",
                _("Parts used: %(parts)s") % {"parts": parts} if parts else "",
                _("Signed by %(name)s") % {"name": order.signed_by},
                _("Covered by %(contract)s") % {"contract": order.contract.name}
                if order.contract
                else _("Not covered: billable"),
            ],
        )
    )
    interaction_record(
        customer_id=order.customer_id,
        by=None,
        agent=order.technician,
        channel=Interaction.Channel.IN_PERSON,
        direction=Interaction.Direction.OUTBOUND,
        subject=(
            _("Work order %(ref)s done: %(subject)s")
            % {"ref": order.reference, "subject": order.subject}
        )[:200],
        body=body,
        outcome=_("Done"),
        occurred_at=now,
        duration_seconds=minutes_spent * 60,
        related=order,
        metadata={"kind": "work_order", "work_order_id": order.pk, "asset_id": order.asset_id},
    )
    emit(
        "work_order.completed",
        work_order_id=order.pk,
        customer_id=order.customer_id,
        asset_id=order.asset_id,
        technician_id=order.technician_id,
        minutes_spent=minutes_spent,
        contract_id=order.contract_id,
        by=by.pk if by else None,
    )
    _emit_status(order, before, by)
    return order


def maintenance_sweep(today: datetime.date | None = None) -> int:
    """Create the work orders of the maintenance plans due within their lead time, once
    per due date, and move each plan to its next due date. Returns how many."""
    today = today or timezone.localdate()
    created = 0
    plans = MaintenancePlan.objects.filter(
        active=True, next_due__lte=today + datetime.timedelta(days=60)
    ).select_related("asset__product")
    for plan in plans:
        if plan.next_due - datetime.timedelta(days=plan.lead_days) > today:
            continue
        with transaction.atomic():
            locked = MaintenancePlan.objects.select_for_update().get(pk=plan.pk)
            due = locked.next_due
            if not locked.active or due - datetime.timedelta(days=locked.lead_days) > today:
                continue
            work_order_create(
                by=None,
                customer_id=plan.asset.customer_id,
                asset_id=plan.asset_id,
                subject=f"{locked.name} · {plan.asset}"[:200],
                skill=locked.skill,
                checklist=locked.checklist or None,
                plan=locked,
                scheduled_start=timezone.make_aware(datetime.datetime.combine(due, DEFAULT_START)),
            )
            locked.next_due = due + datetime.timedelta(days=locked.interval_days)
            locked.save(update_fields=["next_due"])
            created += 1
    return created
