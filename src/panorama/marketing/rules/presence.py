"""Presence conditions of a segment (a product held, an identifier, a group, a billing
incident, a consent): the positive ``Q`` over ``Customer``; ``compile_rule`` negates it
for ``has_not``."""

from typing import Any

from django.db.models import Exists, OuterRef, Q

from panorama.customers.models import BillingIncident, Consent, GroupMembership, Holding, Identity

from . import consent_granted


def _holders(value: Any) -> Q:
    """Holders of a product, as ``id IN (the holders)``: SQLite then starts from the
    product's holders (index ``holding_product_status``) instead of asking every customer
    (at 1M customers the issue's segment took 3.3 s as an ``EXISTS``); PostgreSQL plans
    both forms as the same semi-join. Only for ``has``: a ``NOT IN`` is kept out, as
    PostgreSQL cannot make an anti-join of it (``has_not`` stays ``NOT EXISTS``)."""
    codes = value if isinstance(value, list) else [value]
    holders = Holding.objects.filter(status=Holding.Status.ACTIVE, product_code__in=codes)
    return Q(pk__in=holders.values("customer_id"))


def _presence(name: str, value: Any, rule: dict) -> Q:
    outer = OuterRef("pk")
    if name == "holding":
        codes = value if isinstance(value, list) else [value]
        return Q(
            Exists(
                Holding.objects.filter(
                    customer_id=outer, status=Holding.Status.ACTIVE, product_code__in=codes
                )
            )
        )
    if name == "holding_category":
        return Q(
            Exists(
                Holding.objects.filter(
                    customer_id=outer, status=Holding.Status.ACTIVE, category__iexact=value
                )
            )
        )
    if name == "identity":
        return Q(Exists(Identity.objects.filter(customer_id=outer, kind=value)))
    if name == "group":
        return Q(Exists(GroupMembership.objects.filter(customer_id=outer, group_id=value)))
    if name == "group_kind":
        return Q(Exists(GroupMembership.objects.filter(customer_id=outer, group__kind=value)))
    if name == "billing_incident":
        incidents = BillingIncident.objects.filter(
            customer_id=outer, status=BillingIncident.Status.OPEN
        )
        if value != "any":
            incidents = incidents.filter(kind=value)
        return Q(Exists(incidents))
    if name == "consent":
        return Q(consent_granted(value, rule.get("channel") or Consent.Channel.ANY))
    raise ValueError(name)  # pragma: no cover (validate() knows every presence field)
