"""The installed base and service contracts: registering assets, contracts and
warranties, and the renewal alerts of contracts about to end."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import ValidationFailed
from panorama.core.validation import rules_for
from panorama.customers.selectors import customer_get

from ..models import Asset, ServiceContract
from ..selectors.field import asset_get, contracts_ending
from .contract_terms import contract_terms_clean


def _product(product_id: int | None, field: str = "product"):
    from panorama.catalog.models import Product

    product = Product.objects.filter(pk=product_id).first() if product_id else None
    if product is None:
        raise ValidationFailed(
            _("Product %(id)s does not exist.") % {"id": product_id}, field=field
        )
    return product


def _check_and_save(asset: Asset, *, by: User | None, parent_id: int | None) -> None:
    """The one set of rules of an asset, for a new one and a changed one: a serial
    number, an install date not in the future, a component of an asset of the same
    customer (never itself nor one of its own components), a serial number unique per
    product."""
    asset.serial_number = (asset.serial_number or "").strip()
    asset.site = (asset.site or "").strip()
    if not asset.serial_number:
        raise ValidationFailed(_("An asset needs a serial number."), field="serial_number")
    if asset.install_date and asset.install_date > timezone.localdate():
        raise ValidationFailed(_("The install date cannot be in the future."), field="install_date")
    asset.parent = None
    if parent_id is not None:
        parent = asset_get(user=by, asset_id=parent_id)
        if parent.customer_id != asset.customer_id:
            raise ValidationFailed(
                _("A component belongs to an asset of the same customer."), field="parent"
            )
        ancestor: Asset | None = parent
        while ancestor is not None and asset.pk is not None:
            if ancestor.pk == asset.pk:
                raise ValidationFailed(
                    _("An asset cannot be a component of itself or of its own components."),
                    field="parent",
                )
            ancestor = ancestor.parent
        asset.parent = parent
    rules_for(Asset).check(asset)
    taken = Asset.objects.filter(product=asset.product, serial_number=asset.serial_number)
    duplicate = ValidationFailed(
        _("%(product)s with serial number %(serial)s is already registered.")
        % {"product": asset.product.name, "serial": asset.serial_number},
        field="serial_number",
    )
    if taken.exclude(pk=asset.pk).exists():
        raise duplicate
    try:
        with transaction.atomic():
            asset.save()
    except IntegrityError:  # a concurrent registration of the same serial number
        raise duplicate from None


@transaction.atomic
def asset_register(
    *,
    by: User | None,
    customer_id: int,
    product_id: int,
    serial_number: str,
    install_date: datetime.date | None = None,
    site: str = "",
    parent_id: int | None = None,
    notes: str = "",
) -> Asset:
    """Record an asset installed at a customer's site (a component when ``parent_id``
    names another asset of the same customer). A serial number is unique per product."""
    ensure_can(by, "service.edit")
    customer = customer_get(user=by, customer_id=customer_id)
    asset = Asset(
        customer=customer,
        product=_product(product_id),
        serial_number=serial_number,
        install_date=install_date,
        site=site,
        notes=notes or "",
    )
    _check_and_save(asset, by=by, parent_id=parent_id)
    emit(
        "asset.registered",
        asset_id=asset.pk,
        customer_id=customer.pk,
        product_id=asset.product_id,
        parent_id=asset.parent_id,
        by=by.pk if by else None,
    )
    return asset


ASSET_FIELDS = ("product_id", "serial_number", "install_date", "site", "parent_id", "notes")


@transaction.atomic
def asset_update(*, by: User | None, asset_id: int, changes: dict) -> Asset:
    """Change an asset (its product, serial number, install date, location, the asset
    it is part of, notes) under the same rules as a new one; its customer stays."""
    ensure_can(by, "service.edit")
    unknown = sorted(set(changes) - set(ASSET_FIELDS))
    if unknown:
        raise ValidationFailed(
            _("An asset has no field %(field)s.") % {"field": unknown[0]}, field=unknown[0]
        )
    asset = asset_get(user=by, asset_id=asset_id)
    before = {name: getattr(asset, name) for name in ASSET_FIELDS}
    if "product_id" in changes:
        asset.product = _product(changes["product_id"], field="product_id")
    for name in ("serial_number", "site", "notes"):
        if name in changes:
            setattr(asset, name, changes[name] or "")
    if "install_date" in changes:
        asset.install_date = changes["install_date"]
    parent_id = changes.get("parent_id", asset.parent_id)
    _check_and_save(asset, by=by, parent_id=parent_id)
    changed = sorted(name for name in ASSET_FIELDS if getattr(asset, name) != before[name])
    if changed:
        emit(
            "asset.updated",
            asset_id=asset.pk,
            customer_id=asset.customer_id,
            fields=changed,
            by=by.pk if by else None,
        )
    return asset


@transaction.atomic
def contract_create(
    *,
    by: User | None,
    customer_id: int,
    name: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    kind: str = ServiceContract.Kind.CONTRACT,
    owner: User | None = None,
    asset_ids: list[int] | None = None,
    product_ids: list[int] | None = None,
    visits_included: int | None = None,
    hours_included: Decimal | None = None,
    sla_policy_id: int | None = None,
    renewal_notice_days: int = 30,
) -> ServiceContract:
    """A service contract or warranty for a customer, covering some of his assets and
    every asset of some products."""
    ensure_can(by, "service.edit")
    customer = customer_get(user=by, customer_id=customer_id)
    terms = contract_terms_clean(
        {
            "name": name,
            "visits_included": visits_included,
            "hours_included": hours_included,
            "sla_policy_id": sla_policy_id,
            "renewal_notice_days": renewal_notice_days,
        }
    )
    contract = ServiceContract(
        customer=customer,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        owner=owner or by,
        **terms,
    )
    if ends_on < starts_on:
        raise ValidationFailed(_("A contract cannot end before it starts."), field="ends_on")
    rules_for(ServiceContract).check(contract)
    assets = list(Asset.objects.filter(pk__in=asset_ids or [], customer=customer))
    if len(assets) != len(set(asset_ids or [])):
        raise ValidationFailed(
            _("A contract covers only assets of its own customer."), field="asset_ids"
        )
    from panorama.catalog.models import Product

    products = list(Product.objects.filter(pk__in=product_ids or []))
    if len(products) != len(set(product_ids or [])):
        raise ValidationFailed(_("Some products do not exist."), field="product_ids")
    contract.save()
    contract.reference = f"SC-{contract.pk:06d}"
    contract.save(update_fields=["reference"])
    contract.assets.set(assets)
    contract.products.set(products)
    emit(
        "contract.created",
        contract_id=contract.pk,
        customer_id=customer.pk,
        kind=contract.kind,
        ends_on=contract.ends_on.isoformat(),
        by=by.pk if by else None,
    )
    return contract


def contract_renewal_sweep(today: datetime.date | None = None) -> int:
    """Alert the owner of every active contract ending within its renewal notice, once:
    an e-mail and a ``contract.renewal_due`` event. Returns how many were alerted."""
    today = today or timezone.localdate()
    alerted = 0
    for contract in contracts_ending(today=today):
        with transaction.atomic():
            fresh = (
                ServiceContract.objects.select_for_update()
                .filter(pk=contract.pk, renewal_alerted_at__isnull=True)
                .first()
            )
            if fresh is None:
                continue
            fresh.renewal_alerted_at = timezone.now()
            fresh.save(update_fields=["renewal_alerted_at"])
            emit(
                "contract.renewal_due",
                contract_id=contract.pk,
                customer_id=contract.customer_id,
                owner_id=contract.owner_id,
                ends_on=contract.ends_on.isoformat(),
            )
        alerted += 1
        owner = contract.owner
        if owner is not None and owner.email:
            send_mail(
                subject=_("[Panorama] Contract %(ref)s of %(customer)s ends on %(date)s")
                % {
                    "ref": contract.reference,
                    "customer": contract.customer.display_name,
                    "date": contract.ends_on.isoformat(),
                },
                message=_(
                    "The contract %(name)s ends in %(days)s days. Offer the renewal to the "
                    "customer."
                )
                % {"name": contract.name, "days": (contract.ends_on - today).days},
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[owner.email],
            )
    return alerted
