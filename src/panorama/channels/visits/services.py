"""In person: a visit at a branch or office, the customer identified at the desk by his
national ID document, his card, or his PIN (checked against its salted hash, never
stored or compared in clear), logged on his timeline."""

from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.exceptions import Conflict, NotFound, ValidationFailed
from panorama.core.validation import rules_for
from panorama.customers.models import Customer, Identity
from panorama.customers.selectors import customer_get, identify

from ..models import Interaction
from ..services import interaction_record
from .models import Branch

METHODS = {
    "document": Identity.Kind.NATIONAL_ID,
    "card": Identity.Kind.LOYALTY_CARD,
    "pin": Identity.Kind.PIN,
}


def method_label(method: str) -> str:
    return {
        "document": _("identity document"),
        "card": _("card"),
        "pin": _("PIN"),
    }.get(method, method)


@transaction.atomic
def branch_save(*, by: User | None, branch: Branch) -> Branch:
    ensure_can(by, "channels.configure_channels")
    branch.code = (branch.code or "").strip().upper()
    branch.name = (branch.name or "").strip()
    rules_for(Branch).check(branch)
    if Branch.objects.filter(code=branch.code).exclude(pk=branch.pk).exists():
        raise Conflict(
            _("A branch with code %(code)s already exists.") % {"code": branch.code}, field="code"
        )
    branch.save()
    return branch


def visitor_identify(
    *, by: User, method: str, value: str, customer_id: int | None = None
) -> Customer:
    """The customer at the desk. By document or card: the one customer holding it
    (among those ``by`` sees). By PIN: the customer chosen (``customer_id``) whose PIN
    hash the typed PIN matches."""
    if method not in METHODS:
        raise ValidationFailed(
            _("Identify the customer by document, card or PIN, not %(value)s.") % {"value": method},
            field="method",
        )
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(
            _("Type the customer's %(what)s.") % {"what": method_label(method)}, field="value"
        )
    if method == "pin":
        if customer_id is None:
            raise ValidationFailed(
                _("A PIN confirms a customer: choose the customer first."), field="customer_id"
            )
        customer = customer_get(user=by, customer_id=customer_id)
        hashes = customer.identities.filter(kind=Identity.Kind.PIN).values_list("value", flat=True)
        if not hashes:
            raise ValidationFailed(_("This customer has no PIN."), field="value")
        if not any(check_password(value, stored) for stored in hashes):
            raise ValidationFailed(_("The PIN does not match."), field="value")
        return customer
    matches = identify(user=by, value=value, kind=METHODS[method])
    if not matches:
        raise NotFound(
            _("No customer you can see has this %(what)s.") % {"what": method_label(method)}
        )
    if len(matches) > 1:
        raise Conflict(
            _("%(n)s customers have this %(what)s: identify the customer another way.")
            % {"n": len(matches), "what": method_label(method)},
            field="value",
        )
    if customer_id is not None and matches[0].customer.pk != customer_id:
        raise ValidationFailed(
            _("This %(what)s belongs to another customer.") % {"what": method_label(method)},
            field="value",
        )
    return matches[0].customer


@transaction.atomic
def visit_log(
    *,
    by: User,
    branch_id: int,
    method: str,
    value: str,
    customer_id: int | None = None,
    subject: str = "",
    body: str = "",
    outcome: str = "",
) -> Interaction:
    """Log a visit at a branch for the customer identified at the desk."""
    ensure_can(by, "channels.record")
    branch = Branch.objects.filter(pk=branch_id, active=True).first()
    if branch is None:
        raise NotFound(_("Branch %(id)s does not exist.") % {"id": branch_id})
    customer = visitor_identify(by=by, method=method, value=value, customer_id=customer_id)
    return interaction_record(
        customer_id=customer.pk,
        by=by,
        agent=by,
        channel=Interaction.Channel.IN_PERSON,
        direction=Interaction.Direction.INBOUND,
        subject=(subject or "").strip() or _("Visit at %(branch)s") % {"branch": branch.name},
        body=body,
        outcome=outcome,
        metadata={
            "kind": "visit",
            "branch_id": branch.pk,
            "branch": branch.name,
            "identified_by": method,
        },
    )
