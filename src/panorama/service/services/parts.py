"""Parts stock: receiving parts into a location, transferring them between locations
(a warehouse, a technician's van), using them on a work order, and the reorder alerts
of levels below their minimum.

Every change locks the stock rows it touches (``select_for_update``, in id order so
two transfers never deadlock) and checks the quantity under that lock: two technicians
cannot both take the last part, and a refused move writes nothing."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.accounts.models import Role, User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, ValidationFailed

from ..models import Part, StockLevel, StockLocation, StockMove, WorkOrder


class OutOfStock(Conflict):
    """More parts asked than the location holds (409, nothing written)."""


def _quantity(quantity: int) -> int:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise ValidationFailed(_("Give a quantity of 1 or more."), field="quantity")
    if quantity > 1_000_000:
        raise ValidationFailed(_("That quantity is too large."), field="quantity")
    return quantity


def _part(part_id: int) -> Part:
    part = Part.objects.filter(pk=part_id, active=True).first()
    if part is None:
        raise ValidationFailed(_("Part %(id)s does not exist.") % {"id": part_id}, field="part")
    return part


def _location(location_id: int, field: str) -> StockLocation:
    location = StockLocation.objects.filter(pk=location_id, active=True).first()
    if location is None:
        raise ValidationFailed(
            _("Stock location %(id)s does not exist.") % {"id": location_id}, field=field
        )
    return location


def _locked_levels(part: Part, location_ids: list[int]) -> dict[int, StockLevel]:
    """The part's stock rows at those locations, created empty where missing, locked."""
    for location_id in location_ids:
        StockLevel.objects.get_or_create(part=part, location_id=location_id)
    rows = (
        StockLevel.objects.select_for_update()
        .filter(part=part, location_id__in=location_ids)
        .order_by("id")
    )
    return {row.location_id: row for row in rows}


def _take(level: StockLevel, quantity: int, part: Part, location: StockLocation) -> None:
    if level.quantity < quantity:
        raise OutOfStock(
            _("Only %(have)s × %(part)s in %(location)s: %(want)s cannot be taken.")
            % {
                "have": level.quantity,
                "part": part.name,
                "location": location.name,
                "want": quantity,
            },
            field="quantity",
        )
    level.quantity -= quantity
    level.save(update_fields=["quantity"])


def _put(level: StockLevel, quantity: int) -> None:
    level.quantity += quantity
    if level.quantity >= level.minimum:
        level.reorder_alerted_at = None  # restocked: alert again next time it runs low
    level.save(update_fields=["quantity", "reorder_alerted_at"])


@transaction.atomic
def stock_receive(*, by: User | None, part_id: int, location_id: int, quantity: int) -> StockLevel:
    """Parts arrive at a location (a delivery into the warehouse)."""
    ensure_can(by, "service.parts")
    quantity = _quantity(quantity)
    part = _part(part_id)
    location = _location(location_id, "location")
    level = _locked_levels(part, [location.pk])[location.pk]
    _put(level, quantity)
    StockMove.objects.create(
        kind=StockMove.Kind.RECEIPT, part=part, to_location=location, quantity=quantity, by=by
    )
    return level


@transaction.atomic
def stock_transfer(
    *, by: User | None, part_id: int, from_location_id: int, to_location_id: int, quantity: int
) -> StockMove:
    """Move parts from one location to another (the warehouse restocks a van). Refused,
    with nothing written, when the origin holds fewer."""
    ensure_can(by, "service.parts")
    quantity = _quantity(quantity)
    part = _part(part_id)
    origin = _location(from_location_id, "from_location")
    target = _location(to_location_id, "to_location")
    if origin.pk == target.pk:
        raise ValidationFailed(
            _("Choose two different locations to transfer between."), field="to_location"
        )
    levels = _locked_levels(part, [origin.pk, target.pk])
    _take(levels[origin.pk], quantity, part, origin)
    _put(levels[target.pk], quantity)
    move = StockMove.objects.create(
        kind=StockMove.Kind.TRANSFER,
        part=part,
        from_location=origin,
        to_location=target,
        quantity=quantity,
        by=by,
    )
    emit(
        "stock.transferred",
        part_id=part.pk,
        from_location_id=origin.pk,
        to_location_id=target.pk,
        quantity=quantity,
        by=by.pk if by else None,
    )
    return move


@transaction.atomic
def work_order_use_part(
    *,
    by: User | None,
    work_order_id: int,
    part_id: int,
    quantity: int,
    location_id: int | None = None,
) -> StockMove:
    """A technician used parts on a work order: taken from ``location_id`` (his van by
    default). More than the location holds is refused (409) and nothing is written."""
    from ..selectors.field import van_of, work_order_get

    ensure_can(by, "service.field_work")
    order = work_order_get(user=by, work_order_id=work_order_id, for_update=True)
    if order.status not in (WorkOrder.Status.SCHEDULED, WorkOrder.Status.IN_PROGRESS):
        raise Conflict(
            _("Parts are recorded on a scheduled or started work order, not on one that is %(s)s.")
            % {"s": WorkOrder.Status(order.status).label.lower()},
            field="status",
        )
    quantity = _quantity(quantity)
    part = _part(part_id)
    if location_id is None:
        technician = order.technician or by
        van = van_of(technician) if technician else None
        if van is None:
            raise ValidationFailed(
                _("Say which location the parts come from (the technician has no van)."),
                field="location",
            )
        location = van
    else:
        location = _location(location_id, "location")
    level = _locked_levels(part, [location.pk])[location.pk]
    _take(level, quantity, part, location)
    move = StockMove.objects.create(
        kind=StockMove.Kind.CONSUMPTION,
        part=part,
        from_location=location,
        quantity=quantity,
        work_order=order,
        by=by,
    )
    emit(
        "work_order.part_used",
        work_order_id=order.pk,
        part_id=part.pk,
        location_id=location.pk,
        quantity=quantity,
        by=by.pk if by else None,
    )
    return move


def reorder_sweep() -> int:
    """Alert once per stock level that fell below its minimum: an e-mail (to the van's
    technician, else to the administrators) and a ``stock.low`` event. Returns how many."""
    now = timezone.now()
    with transaction.atomic():
        low = list(
            StockLevel.objects.select_for_update()
            .filter(quantity__lt=F("minimum"), reorder_alerted_at__isnull=True)
            .filter(location__active=True, part__active=True)
            .order_by("id")[:1000]
        )
        if not low:
            return 0
        StockLevel.objects.filter(pk__in=[row.pk for row in low]).update(reorder_alerted_at=now)
        for row in low:
            emit(
                "stock.low",
                part_id=row.part_id,
                location_id=row.location_id,
                quantity=row.quantity,
                minimum=row.minimum,
            )
    rows = StockLevel.objects.filter(pk__in=[r.pk for r in low]).select_related(
        "part", "location__technician"
    )
    admins = list(
        User.objects.filter(role=Role.ADMIN, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    by_recipient: dict[str, list[str]] = {}
    for row in rows:
        tech = row.location.technician
        recipients = [tech.email] if tech is not None and tech.email else admins
        line = _("%(part)s in %(location)s: %(have)s left, reorder below %(min)s") % {
            "part": row.part,
            "location": row.location.name,
            "have": row.quantity,
            "min": row.minimum,
        }
        for email in recipients:
            by_recipient.setdefault(email, []).append(line)
    for email, lines in by_recipient.items():
        send_mail(
            subject=_("[Panorama] %(n)s part(s) to reorder") % {"n": len(lines)},
            message="\n".join(lines),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[email],
        )
    return len(low)
