"""Defect tracking (quality): reporting a fault in a product's version and component,
moving it through its lifecycle, and linking the cases it caused and the installed
assets it affects. A defect belongs to a
product, not to a customer: every staff user reads them; the cases linked to one stay
visible only to who sees their customer."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, NotFound, ValidationFailed
from panorama.core.validation import rules_for

from ..models import Defect
from ..selectors import case_get
from ..selectors.field import asset_get, assets_visible_to

S = Defect.Status
# A defect is confirmed (or rejected), then fixed, then closed; a fixed or closed one
# comes back as confirmed when it shows up again.
TRANSITIONS: dict[str, set[str]] = {
    S.NEW: {S.CONFIRMED, S.REJECTED, S.FIXED},
    S.CONFIRMED: {S.FIXED, S.REJECTED},
    S.FIXED: {S.CLOSED, S.CONFIRMED},
    S.CLOSED: {S.CONFIRMED},
    S.REJECTED: {S.CONFIRMED},
}
EDITABLE = ("title", "description", "version", "component", "severity", "found_on", "fixed_in")


@dataclass
class DefectData:
    product_id: int
    title: str
    description: str = ""
    version: str = ""
    component: str = ""
    severity: str = Defect.Severity.MAJOR
    found_on: datetime.date | None = None


def _get(defect_id: int, for_update: bool = False) -> Defect:
    qs = Defect.objects.select_for_update() if for_update else Defect.objects.all()
    defect = qs.filter(pk=defect_id).first()
    if defect is None:
        raise NotFound(_("Defect %(id)s does not exist.") % {"id": defect_id})
    return defect


def _check(defect: Defect) -> None:
    defect.title = (defect.title or "").strip()
    defect.version = (defect.version or "").strip()
    defect.component = (defect.component or "").strip()
    defect.fixed_in = (defect.fixed_in or "").strip()
    rules_for(Defect).check(defect)


@transaction.atomic
def defect_report(*, by: User | None, data: DefectData, case_id: int | None = None) -> Defect:
    """Record a defect of a product (and, with ``case_id``, the case that revealed it)."""
    ensure_can(by, "service.edit")
    from panorama.catalog.models import Product

    if not Product.objects.filter(pk=data.product_id).exists():
        raise ValidationFailed(
            _("Product %(id)s does not exist.") % {"id": data.product_id}, field="product"
        )
    defect = Defect(
        product_id=data.product_id,
        title=data.title,
        description=data.description or "",
        version=data.version,
        component=data.component,
        severity=data.severity,
        created_by=by,
    )
    if data.found_on is not None:
        defect.found_on = data.found_on
    _check(defect)
    defect.save()
    defect.reference = f"D-{defect.pk:06d}"
    defect.save(update_fields=["reference"])
    if case_id is not None:
        defect.cases.add(case_get(user=by, case_id=case_id))
    emit(
        "defect.reported",
        defect_id=defect.pk,
        product_id=defect.product_id,
        severity=defect.severity,
        by=by.pk if by else None,
    )
    return defect


@transaction.atomic
def defect_update(*, by: User | None, defect_id: int, **changes) -> Defect:
    """Change a defect's description fields (not its product, status or cases)."""
    ensure_can(by, "service.edit")
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed here: %(names)s.") % {"names": ", ".join(unknown)},
            field=unknown[0],
        )
    defect = _get(defect_id, for_update=True)
    for name, value in changes.items():
        if name == "found_on" and value is None:
            continue
        setattr(defect, name, value)
    _check(defect)
    defect.save()
    return defect


@transaction.atomic
def defect_set_status(
    *, by: User | None, defect_id: int, status: str, fixed_in: str = ""
) -> Defect:
    """Move a defect along its lifecycle (quality staff only); "fixed" may name the
    version that fixes it."""
    ensure_can(by, "service.quality")
    defect = _get(defect_id, for_update=True)
    if status not in S.values:
        raise ValidationFailed(_("Unknown status %(s)s.") % {"s": status}, field="status")
    if status == defect.status:
        return defect
    if status not in TRANSITIONS[defect.status]:
        raise Conflict(
            _("A defect that is %(from)s cannot become %(to)s.")
            % {"from": S(defect.status).label, "to": S(status).label},
            field="status",
        )
    previous = defect.status
    defect.status = status
    if fixed_in.strip():
        defect.fixed_in = fixed_in
    _check(defect)
    defect.save(update_fields=["status", "fixed_in", "updated_at"])
    emit(
        "defect.status_changed",
        defect_id=defect.pk,
        from_status=previous,
        to_status=status,
        by=by.pk if by else None,
    )
    return defect


@transaction.atomic
def defect_link_case(*, by: User | None, defect_id: int, case_id: int) -> Defect:
    """Link a case ``by`` sees to a defect (linking twice changes nothing)."""
    ensure_can(by, "service.edit")
    defect = _get(defect_id, for_update=True)
    case = case_get(user=by, case_id=case_id)
    if case.product_id and case.product_id != defect.product_id:
        raise ValidationFailed(
            _("Case %(ref)s is about another product than this defect.") % {"ref": case.reference},
            field="case",
        )
    defect.cases.add(case)
    return defect


@transaction.atomic
def defect_unlink_case(*, by: User | None, defect_id: int, case_id: int) -> Defect:
    ensure_can(by, "service.edit")
    defect = _get(defect_id, for_update=True)
    defect.cases.remove(case_get(user=by, case_id=case_id))
    return defect


def _asset_for(defect: Defect, *, by: User | None, asset_id: int):
    asset = asset_get(user=by, asset_id=asset_id)  # 404 when ``by`` does not see it
    if asset.product_id != defect.product_id:
        raise ValidationFailed(
            _("Asset %(serial)s is a %(product)s, not a %(defect_product)s like this defect.")
            % {
                "serial": asset.serial_number or asset.pk,
                "product": asset.product.name,
                "defect_product": defect.product.name,
            },
            field="asset",
        )
    return asset


@transaction.atomic
def defect_link_asset(
    *, by: User | None, defect_id: int, asset_id: int | None = None, serial_number: str = ""
) -> Defect:
    """Record that a defect affects an installed asset ``by`` sees, of the defect's
    product, named by id or by serial number (another product's asset is refused;
    linking twice changes nothing)."""
    ensure_can(by, "service.edit")
    defect = _get(defect_id, for_update=True)
    if asset_id is None:
        serial = (serial_number or "").strip()
        asset_id = (
            assets_visible_to(by)
            .filter(product_id=defect.product_id, serial_number__iexact=serial)
            .values_list("pk", flat=True)
            .first()
            if serial
            else None
        )
        if asset_id is None:
            raise ValidationFailed(
                _("No asset of %(product)s with serial number %(serial)s that you can see.")
                % {"product": defect.product.name, "serial": serial or '""'},
                field="asset",
            )
    defect.assets.add(_asset_for(defect, by=by, asset_id=asset_id))
    return defect


@transaction.atomic
def defect_unlink_asset(*, by: User | None, defect_id: int, asset_id: int) -> Defect:
    ensure_can(by, "service.edit")
    defect = _get(defect_id, for_update=True)
    defect.assets.remove(asset_get(user=by, asset_id=asset_id))
    return defect
