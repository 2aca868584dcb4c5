"""Groups, holdings, billing incidents and consents of a customer."""

import datetime
from decimal import Decimal
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, ValidationFailed
from panorama.core.validation import rules_for

from ..models import BillingIncident, Consent, Customer, Group, GroupMembership, Holding

M = TypeVar("M", bound=models.Model)


def _checked(instance: M) -> M:
    """``instance``, once its fields obey the model's rules (lengths, choices, required)."""
    rules_for(type(instance)).check(instance)
    return instance


@transaction.atomic
def group_create(*, name: str, kind: str, by: User | None) -> Group:
    ensure_can(by, "customers.edit")
    if not (name or "").strip():
        raise ValidationFailed(_("A group needs a name."), field="name")
    group = _checked(Group(name=name.strip(), kind=kind, created_by=by))
    group.save()
    emit("group.created", group_id=group.pk, by=by.pk if by else None)
    return group


@transaction.atomic
def group_member_add(
    *,
    group: Group,
    customer: Customer,
    role: str = GroupMembership.Role.MEMBER,
    since: datetime.date | None = None,
    by: User | None,
) -> GroupMembership:
    ensure_can(by, "customers.edit")
    membership = _checked(GroupMembership(group=group, customer=customer, role=role, since=since))
    if GroupMembership.objects.filter(group=group, customer=customer).exists():
        raise Conflict(
            _("%(c)s is already in %(g)s.") % {"c": customer, "g": group}, field="customer_id"
        )
    membership.save()
    emit(
        "group.member_added",
        group_id=group.pk,
        customer_id=customer.pk,
        role=role,
        by=by.pk if by else None,
    )
    return membership


@transaction.atomic
def group_member_remove(*, membership: GroupMembership, by: User | None) -> None:
    ensure_can(by, "customers.edit")
    membership.delete()
    emit(
        "group.member_removed",
        group_id=membership.group_id,
        customer_id=membership.customer_id,
        by=by.pk if by else None,
    )


@transaction.atomic
def holding_add(
    *,
    customer: Customer,
    product_code: str,
    product_name: str,
    start_date: datetime.date,
    end_date: datetime.date | None = None,
    price: Decimal | int | str = 0,
    currency: str = "EUR",
    category: str = "",
    conditions: dict[str, Any] | None = None,
    status: str = Holding.Status.ACTIVE,
    external_id: str = "",
    by: User | None,
) -> Holding:
    ensure_can(by, "customers.edit")
    if not product_code or not product_name:
        raise ValidationFailed(_("A holding needs a product code and name."), field="product_code")
    if end_date and end_date < start_date:
        raise ValidationFailed(_("The end date is before the start date."), field="end_date")
    holding = Holding(
        customer=customer,
        product_code=product_code,
        product_name=product_name,
        start_date=start_date,
        end_date=end_date,
        price=Decimal(str(price)),
        currency=currency,
        category=category,
        conditions=conditions or {},
        status=status,
        external_id=external_id,
    )
    _checked(holding).save()
    emit(
        "holding.added",
        customer_id=customer.pk,
        holding_id=holding.pk,
        by=by.pk if by else None,
    )
    return holding


@transaction.atomic
def billing_incident_add(
    *,
    customer: Customer,
    kind: str,
    reference: str,
    amount: Decimal | str,
    due_date: datetime.date | None = None,
    holding: Holding | None = None,
    notes: str = "",
    by: User | None,
) -> BillingIncident:
    ensure_can(by, "customers.edit")
    incident = BillingIncident(
        customer=customer,
        kind=kind,
        reference=(reference or "").strip(),
        amount=Decimal(str(amount)),
        due_date=due_date,
        holding=holding,
        notes=notes,
    )
    _checked(incident).save()
    emit(
        "billing.incident_opened",
        customer_id=customer.pk,
        incident_id=incident.pk,
        by=by.pk if by else None,
    )
    return incident


@transaction.atomic
def billing_incident_resolve(*, incident: BillingIncident, by: User | None) -> BillingIncident:
    ensure_can(by, "customers.edit")
    incident = BillingIncident.objects.select_for_update().get(pk=incident.pk)
    if incident.status == BillingIncident.Status.RESOLVED:
        return incident  # resolved already (twice clicked, or by someone else): no change
    incident.status = BillingIncident.Status.RESOLVED
    incident.resolved_at = timezone.now()
    incident.save(update_fields=["status", "resolved_at"])
    emit(
        "billing.incident_resolved",
        customer_id=incident.customer_id,
        incident_id=incident.pk,
        by=by.pk if by else None,
    )
    return incident


@transaction.atomic
def consent_record(
    *,
    customer: Customer,
    purpose: str,
    channel: str = Consent.Channel.ANY,
    granted: bool,
    source: str = "",
    at: datetime.datetime | None = None,
    by: User | None,
) -> Consent:
    """A new decision: never overwrites, so the history of consents is kept whole."""
    ensure_can(by, "customers.edit")
    consent = Consent(
        customer=customer,
        purpose=purpose,
        channel=channel,
        granted=granted,
        source=(source or "").strip(),
        at=at or timezone.now(),
        recorded_by=by,
    )
    _checked(consent).save()
    emit(
        "consent.given" if granted else "consent.withdrawn",
        customer_id=customer.pk,
        consent_id=consent.pk,
        purpose=purpose,
        channel=channel,
        by=by.pk if by else None,
    )
    return consent
