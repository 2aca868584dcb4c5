"""The customer's main phone and e-mail changed in one step (the ficha's properties):
the identity services the API calls (``identity_add``, ``identity_remove``), in one
transaction, so the rules, the field history and the events are theirs."""

from django.db import transaction
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.exceptions import DomainError, ValidationFailed

from .. import identifiers
from ..models import Customer, Identity
from .customer import IdentityData, identity_add, identity_remove

# The kinds the ficha edits as one value each.
MAIN_KINDS = (Identity.Kind.PHONE, Identity.Kind.EMAIL)


def identity_main(customer: Customer, kind: str) -> Identity | None:
    """The identity the ficha shows for ``kind``: the primary one, else the first."""
    found = [i for i in customer.identities.all() if i.kind == kind]
    return next((i for i in found if i.is_primary), found[0] if found else None)


@transaction.atomic
def identity_replace(
    *, customer: Customer, kind: str, value: str, by: User | None, reason: str = ""
) -> None:
    """``value`` becomes the customer's main ``kind`` (phone or e-mail): added as the
    primary one, with the label the old one had, then the old one removed; an empty
    value removes the main one. The same value (as normalised) changes nothing. A
    refused value (malformed, already recorded) changes nothing either. ``reason``: the
    field history's, as ``customer_update``'s."""
    ensure_can(by, "customers.edit")
    if kind not in MAIN_KINDS:
        raise ValidationFailed(_("Only the main phone and e-mail change this way."), field="kind")
    current = identity_main(customer, kind)
    value = (value or "").strip()
    if not value:
        if current is not None:
            identity_remove(identity=current, by=by, reason=reason)
        return
    try:
        same = current is not None and identifiers.normalise(kind, value) == current.value
    except DomainError:
        same = False  # malformed: ``identity_add`` refuses it with its own message
    if same:
        return
    item = IdentityData(
        kind=kind, value=value, label=current.label if current else "", is_primary=True
    )
    added = identity_add(customer=customer, item=item, by=by, reason=reason)
    if current is not None and current.pk != added.pk:
        identity_remove(identity=current, by=by, reason=reason)
