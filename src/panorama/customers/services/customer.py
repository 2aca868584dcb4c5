"""Customer records and their identities, addresses and contact points."""

from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from panorama.accounts.models import Team, User
from panorama.accounts.permissions import ensure_can
from panorama.core.bulk import model_new
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, ValidationFailed
from panorama.core.services import field_history_record, snapshot
from panorama.core.validation import rules_for

from .. import identifiers
from ..models import Address, Customer, Identity
from .custom_fields import custom_fields_clean

M = TypeVar("M", bound=models.Model)

CUSTOMER_FIELDS = [
    "kind",
    "status",
    "first_name",
    "last_name",
    "legal_name",
    "birth_date",
    "language",
    "owner_id",
    "team_id",
    "notes",
    "custom_fields",
]
HISTORY_FIELDS = [*CUSTOMER_FIELDS, "display_name"]
# The models' own field rules (lengths, choices, required text), read once.
_CUSTOMER_RULES = rules_for(Customer)
_IDENTITY_RULES = rules_for(Identity)
_ADDRESS_RULES = rules_for(Address)


def assignment_resolve(
    *, owner_id: int | None, team_id: int | None
) -> tuple[User | None, Team | None]:
    """The account manager (an active user) and the team behind two ids, or a 422."""
    owner = team = None
    if owner_id is not None:
        owner = User.objects.filter(pk=owner_id, is_active=True).first()
        if owner is None:
            raise ValidationFailed(_("Unknown account manager."), field="owner_id")
    if team_id is not None:
        team = Team.objects.filter(pk=team_id).first()
        if team is None:
            raise ValidationFailed(_("Unknown team."), field="team_id")
    return owner, team


def _names(customer: Customer) -> None:
    """Derive the shown and searchable names from the name fields."""
    if customer.kind == Customer.Kind.ORGANISATION:
        name = customer.legal_name.strip()
        if not name:
            raise ValidationFailed(_("An organisation needs a legal name."), field="legal_name")
        customer.display_name = name
        customer.search_last = ""
    else:
        first, last = customer.first_name.strip(), customer.last_name.strip()
        if not first and not last:
            raise ValidationFailed(
                _("A person needs a first name or a last name."), field="first_name"
            )
        customer.display_name = f"{first} {last}".strip()
        customer.search_last = identifiers.fold(last)
    customer.search_name = identifiers.fold(customer.display_name)


def _default_team(user: User | None) -> Team | None:
    if user is None:
        return None
    return user.teams.order_by("id").first()


@dataclass
class IdentityData:
    kind: str
    value: str
    label: str = ""
    is_primary: bool = False


@dataclass
class AddressData:
    line1: str = ""
    kind: str = Address.Kind.HOME
    line2: str = ""
    postal_code: str = ""
    city: str = ""
    region: str = ""
    country: str = "ES"
    is_primary: bool = False


@dataclass
class CustomerData:
    kind: str = Customer.Kind.PERSON
    status: str = Customer.Status.ACTIVE
    first_name: str = ""
    last_name: str = ""
    legal_name: str = ""
    birth_date: Any = None
    language: str = ""
    notes: str = ""
    owner: User | None = None
    team: Team | None = None
    custom_fields: dict[str, Any] = field(default_factory=dict)
    identities: list[IdentityData] = field(default_factory=list)
    addresses: list[AddressData] = field(default_factory=list)


def _new(model: type[M], /, bulk: bool, **values: Any) -> M:
    """An unsaved instance: ``core.bulk.model_new`` for the import's thousands, the
    ordinary constructor for one record."""
    return model_new(model, **values) if bulk else model(**values)


def customer_build(
    *, data: CustomerData, by: User | None, definitions: dict | None = None, bulk: bool = False
) -> tuple[Customer, list[Identity], list[Address]]:
    """Validate ``data`` into unsaved rows (shared by create and the bulk import).

    ``definitions``: the custom field definitions by key, loaded once by a bulk caller.
    ``bulk``: build the instances with ``core.bulk.model_new`` (the import builds
    thousands; one record is built the ordinary way).
    """
    customer = _new(
        Customer,
        bulk,
        kind=data.kind,
        status=data.status,
        first_name=(data.first_name or "").strip(),
        last_name=(data.last_name or "").strip(),
        legal_name=(data.legal_name or "").strip(),
        birth_date=data.birth_date,
        language=data.language or "",
        notes=data.notes or "",
        owner=data.owner if data.owner is not None else by,
        team=data.team if data.team is not None else _default_team(by),
    )
    _CUSTOMER_RULES.check_choice("kind", customer.kind)
    _names(customer)
    _CUSTOMER_RULES.check(customer)
    customer.custom_fields = custom_fields_clean(data.custom_fields or {}, definitions=definitions)
    identities = [
        identity_build(customer=customer, item=item, bulk=bulk) for item in data.identities
    ]
    seen: set[tuple[str, str]] = set()
    for identity in identities:
        key = (identity.kind, identity.value)
        if key in seen and identity.kind != Identity.Kind.PIN:
            raise ValidationFailed(
                _("%(value)s is given twice.") % {"value": identity.value}, field=identity.kind
            )
        seen.add(key)
    addresses = [address_build(customer=customer, item=item, bulk=bulk) for item in data.addresses]
    return customer, identities, addresses


@transaction.atomic
def customer_create(*, data: CustomerData, by: User | None) -> Customer:
    ensure_can(by, "customers.edit")
    customer, identities, addresses = customer_build(data=data, by=by)
    ensure_can(by, "customers.assign_team", obj=customer.team)
    ensure_can(by, "customers.assign", obj=customer)
    customer.save()
    for identity in identities:
        identity.customer = customer
    for address in addresses:
        address.customer = customer
    Identity.objects.bulk_create(identities)
    Address.objects.bulk_create(addresses)
    emit("customer.created", customer_id=customer.pk, by=by.pk if by else None)
    return customer


@transaction.atomic
def customer_update(
    *, customer: Customer, by: User | None, changes: dict[str, Any], reason: str = ""
) -> Customer:
    """Apply ``changes`` (field → new value), keep the field history, emit an event.
    ``reason``: who wrote it when nobody on the staff did (``"portal"``: the customer
    himself; see ``customers.history.history_reasons``), as the import says ``"import"``."""
    ensure_can(by, "customers.edit")
    unknown = set(changes) - {*CUSTOMER_FIELDS, "owner", "team"}
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed: %(f)s.") % {"f": ", ".join(sorted(unknown))},
            field=sorted(unknown)[0],
        )
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    team_before = customer.team_id
    before = snapshot(customer, HISTORY_FIELDS)
    for name, value in changes.items():
        if name == "custom_fields":
            customer.custom_fields = custom_fields_clean(
                value or {}, existing=customer.custom_fields, partial=True
            )
        elif name in {"first_name", "last_name", "legal_name", "notes", "language"}:
            setattr(customer, name, (value or "").strip())
        else:
            setattr(customer, name, value)
    _CUSTOMER_RULES.check_choice("kind", customer.kind)
    _names(customer)
    _CUSTOMER_RULES.check(customer)
    if {"owner", "owner_id", "team", "team_id"} & set(changes):
        _owner, team = assignment_resolve(owner_id=customer.owner_id, team_id=customer.team_id)
        if customer.team_id != team_before:
            ensure_can(by, "customers.assign_team", obj=team)
        ensure_can(by, "customers.assign", obj=customer)
    customer.save()
    after = snapshot(customer, HISTORY_FIELDS)
    changed = field_history_record(
        instance=customer,
        before=before,
        after=after,
        user=by,
        customer_id=customer.pk,
        reason=reason,
    )
    if changed:
        emit(
            "customer.updated",
            customer_id=customer.pk,
            fields=[c.field for c in changed],
            by=by.pk if by else None,
        )
    return customer


def _changed(
    customer: Customer,
    *,
    field: str,
    before: str,
    after: str,
    by: User | None,
    event: str,
    reason: str = "",
    **payload: Any,
) -> None:
    """The after-write ritual of a change to one of a customer's records: its line in the
    field history (old → new, who) and its event."""
    field_history_record(
        instance=customer,
        before={field: before},
        after={field: after},
        user=by,
        customer_id=customer.pk,
        reason=reason,
    )
    emit(event, customer_id=customer.pk, by=by.pk if by else None, **payload)


# --- identities -----------------------------------------------------------------------


def identity_build(*, customer: Customer, item: IdentityData, bulk: bool = False) -> Identity:
    _IDENTITY_RULES.check_choice("kind", item.kind)  # before normalising
    if item.kind == Identity.Kind.PIN:
        pin = (item.value or "").strip()
        if not pin.isdigit() or not 4 <= len(pin) <= 8:
            raise ValidationFailed(_("A PIN has 4 to 8 digits."), field="pin")
        value = make_password(pin)
    else:
        value = identifiers.normalise(item.kind, item.value)
    identity = _new(
        Identity,
        bulk,
        customer=customer,
        kind=item.kind,
        value=value,
        label=(item.label or "").strip(),
        is_primary=item.is_primary,
    )
    try:
        _IDENTITY_RULES.check(identity)
    except ValidationFailed as exc:
        if exc.field != "value":
            raise
        # Named after its kind, as the other errors of an identifier are ("E-mail: ...").
        message = exc.errors["value"][0]
        raise ValidationFailed(
            _("%(field)s: %(message)s")
            % {"field": Identity.Kind(item.kind).label, "message": message},
            field=item.kind,
            errors={item.kind: [message]},
        ) from None
    return identity


@transaction.atomic
def identity_add(
    *, customer: Customer, item: IdentityData, by: User | None, reason: str = ""
) -> Identity:
    ensure_can(by, "customers.edit")
    identity = identity_build(customer=customer, item=item)
    if identity.kind == Identity.Kind.PIN:
        # One PIN per customer: a new one replaces the old.
        customer.identities.filter(kind=Identity.Kind.PIN).delete()
    elif customer.identities.filter(kind=identity.kind, value=identity.value).exists():
        raise Conflict(
            _("%(value)s is already recorded for this customer.") % {"value": identity.value},
            field=identity.kind,
        )
    if identity.is_primary:
        customer.identities.filter(kind=identity.kind).update(is_primary=False)
    try:
        with transaction.atomic():
            identity.save()
    except IntegrityError:
        raise Conflict(_("This identity is already recorded."), field=identity.kind) from None
    _changed(
        customer,
        field=f"identity:{identity.kind}",
        before="",
        after=identity.display_value,
        by=by,
        event="customer.identity_added",
        reason=reason,
        identity_id=identity.pk,
        kind=identity.kind,
    )
    return identity


@transaction.atomic
def identity_remove(*, identity: Identity, by: User | None, reason: str = "") -> None:
    ensure_can(by, "customers.edit")
    identity_id, shown = identity.pk, identity.display_value
    identity.delete()
    _changed(
        identity.customer,
        field=f"identity:{identity.kind}",
        before=shown,
        after="",
        by=by,
        event="customer.identity_removed",
        reason=reason,
        identity_id=identity_id,
        kind=identity.kind,
    )


# --- addresses ------------------------------------------------------------------------


def address_build(*, customer: Customer, item: AddressData, bulk: bool = False) -> Address:
    # A partial address is an address: a city or a postal code without the street is
    # what many records hold, and worth keeping (segmentation, the nearest branch).
    if not any((v or "").strip() for v in (item.line1, item.postal_code, item.city, item.region)):
        raise ValidationFailed(
            _("An address needs at least a street, a postal code or a city."), field="line1"
        )
    country = (item.country or "ES").strip().upper()
    if len(country) != 2 or not country.isalpha():
        raise ValidationFailed(
            _("The country is a two-letter ISO code such as ES."), field="country"
        )
    address = _new(
        Address,
        bulk,
        customer=customer,
        kind=item.kind,
        line1=(item.line1 or "").strip(),
        line2=(item.line2 or "").strip(),
        postal_code=(item.postal_code or "").strip(),
        city=(item.city or "").strip(),
        region=(item.region or "").strip(),
        country=country,
        is_primary=item.is_primary,
    )
    _ADDRESS_RULES.check(address)
    return address


@transaction.atomic
def address_add(
    *, customer: Customer, item: AddressData, by: User | None, reason: str = ""
) -> Address:
    ensure_can(by, "customers.edit")
    address = address_build(customer=customer, item=item)
    if address.is_primary:
        customer.addresses.update(is_primary=False)
    address.save()
    _changed(
        customer,
        field="address",
        before="",
        after=str(address),
        by=by,
        event="customer.address_added",
        reason=reason,
        address_id=address.pk,
    )
    return address


@transaction.atomic
def address_update(
    *, address: Address, item: AddressData, by: User | None, reason: str = ""
) -> Address:
    """Replace an address's fields; the field history keeps the old and new address."""
    ensure_can(by, "customers.edit")
    customer = address.customer
    before = str(address)
    fresh = address_build(customer=customer, item=item)
    for name in ("kind", "line1", "line2", "postal_code", "city", "region", "country"):
        setattr(address, name, getattr(fresh, name))
    address.is_primary = fresh.is_primary
    if address.is_primary:
        customer.addresses.exclude(pk=address.pk).update(is_primary=False)
    address.save()
    _changed(
        customer,
        field="address",
        before=before,
        after=str(address),
        by=by,
        event="customer.address_updated",
        reason=reason,
        address_id=address.pk,
    )
    return address


@transaction.atomic
def address_remove(*, address: Address, by: User | None) -> None:
    ensure_can(by, "customers.edit")
    address_id, text = address.pk, str(address)
    address.delete()
    _changed(
        address.customer,
        field="address",
        before=text,
        after="",
        by=by,
        event="customer.address_removed",
        address_id=address_id,
    )
