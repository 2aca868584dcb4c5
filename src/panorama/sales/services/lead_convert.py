"""Converting a lead into a customer (found by ``identify`` or created) and, if asked,
an opportunity; the lead stays, pointing at both, and the customer's timeline gets a
"converted from lead" entry with the lead's source, notes and activity."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.channels.models import Interaction
from panorama.channels.services import interaction_record
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, ValidationFailed
from panorama.customers import identifiers
from panorama.customers.models import Customer, Identity
from panorama.customers.selectors import customer_get, customer_lookalikes, identify
from panorama.customers.services.customer import CustomerData, IdentityData, customer_create

from ..models import Lead, LeadActivity
from ..selectors import lead_get
from .opportunity import opportunity_create


@dataclass
class Match:
    """A customer the lead may already be, and why (same e-mail, same phone...)."""

    customer: Customer
    reasons: list[str] = field(default_factory=list)


def _identities(lead: Lead) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for kind, raw in ((Identity.Kind.EMAIL, lead.email), (Identity.Kind.PHONE, lead.phone)):
        if not raw:
            continue
        try:
            pairs.append((kind, identifiers.normalise(kind, raw)))
        except ValidationFailed:
            continue  # a phone the customers app cannot read identifies nobody
    return pairs


def lead_matches(*, user: User, lead: Lead) -> list[Match]:
    """The customers ``user`` sees whom the lead may be: ``identify`` on its e-mail and
    phone first, then ``customer_lookalikes`` (same identifiers, a very similar name or
    company name)."""
    found: dict[int, Match] = {}
    kinds = dict(Identity.Kind.choices)
    for kind, value in _identities(lead):
        for hit in identify(user=user, value=value, kind=kind):
            entry = found.setdefault(hit.customer.pk, Match(hit.customer))
            entry.reasons.append(_("same %(kind)s") % {"kind": str(kinds.get(kind, kind)).lower()})
    person = " ".join(p for p in (lead.first_name, lead.last_name) if p)
    for name in {n for n in (person, lead.company) if n}:
        for alike in customer_lookalikes(user=user, identities=_identities(lead), name=name):
            entry = found.setdefault(alike.customer.pk, Match(alike.customer))
            entry.reasons.extend(r for r in alike.reasons if r not in entry.reasons)
    return list(found.values())


def _new_customer(lead: Lead, by: User | None) -> Customer:
    person = bool(lead.first_name or lead.last_name)
    identities = [IdentityData(kind=k, value=v, is_primary=True) for k, v in _identities(lead)]
    data = CustomerData(
        kind=Customer.Kind.PERSON if person else Customer.Kind.ORGANISATION,
        first_name=lead.first_name if person else "",
        last_name=lead.last_name if person else "",
        legal_name="" if person else lead.company,
        notes=lead.notes,
        language=str((lead.data or {}).get("language") or ""),  # the web form's visitor's
        owner=lead.owner or by,
        team=lead.team,
        identities=identities,
    )
    if not person and not lead.company:
        raise ValidationFailed(
            _("Give the lead a name or a company before converting it."), field="last_name"
        )
    return customer_create(data=data, by=by)


def _history_body(lead: Lead) -> str:
    lines = [
        _("Source: %(source)s") % {"source": lead.get_source_display()},
    ]
    if lead.web_form_id:
        lines.append(_("Web form: %(form)s") % {"form": lead.web_form})
    if lead.company and (lead.first_name or lead.last_name):
        lines.append(_("Company: %(company)s") % {"company": lead.company})
    if lead.job_title:
        lines.append(_("Job title: %(title)s") % {"title": lead.job_title})
    lines.append(_("Score: %(score)d") % {"score": lead.score})
    if lead.notes:
        lines += ["", lead.notes]
    activities = list(lead.activities.order_by("at", "id")[:50])
    if activities:
        lines += ["", _("Lead activity:")]
        lines += [
            f"- {timezone.localtime(a.at):%Y-%m-%d %H:%M} {a.get_kind_display()}"
            + (f": {a.detail}" if a.detail else "")
            for a in activities
        ]
    return "\n".join(lines)


@dataclass
class Conversion:
    lead: Lead
    customer: Customer
    reused: bool
    opportunity: Any = None


@transaction.atomic
def lead_convert(
    *,
    by: User | None,
    lead_id: int,
    customer_id: int | None = None,
    create_new: bool = False,
    opportunity: bool = False,
    opportunity_name: str = "",
    pipeline_id: int | None = None,
    stage_id: int | None = None,
    amount: Decimal | int | str = 0,
    currency: str = "",
) -> Conversion:
    """Convert the lead, all or nothing.

    ``customer_id``: the existing customer it is (one of ``lead_matches`` or any the
    user sees). Without it, when ``identify`` finds customers the lead may be, the
    conversion stops with a 409 listing them, unless ``create_new`` says to create a
    new customer anyway. ``opportunity``: also open one (pipeline, stage, amount).
    """
    ensure_can(by, "sales.edit")
    lead = lead_get(user=by, lead_id=lead_id, for_update=True)
    if lead.status == Lead.Status.CONVERTED:
        raise Conflict(
            _("This lead was already converted into customer #%(id)s.") % {"id": lead.customer_id},
            field="status",
        )
    if lead.status == Lead.Status.DISQUALIFIED:
        raise Conflict(
            _("A disqualified lead cannot be converted: reopen it first."), field="status"
        )
    if customer_id is not None:
        customer, reused = customer_get(user=by, customer_id=customer_id), True
    else:
        matches = [] if create_new or by is None else lead_matches(user=by, lead=lead)
        if matches:
            raise Conflict(
                _(
                    "This lead may already be a customer: %(names)s. Choose one, or "
                    "confirm that a new customer is to be created."
                )
                % {"names": ", ".join(f"{m.customer} (#{m.customer.pk})" for m in matches)},
                field="customer_id",
                errors={
                    "customer_id": [
                        f"{m.customer.pk}: {m.customer} ({', '.join(m.reasons)})" for m in matches
                    ]
                },
            )
        customer, reused = _new_customer(lead, by), False
    opened = None
    if opportunity:
        opened = opportunity_create(
            by=by,
            customer_id=customer.pk,
            name=(opportunity_name or "").strip() or lead.company or lead.name,
            pipeline_id=pipeline_id,
            stage_id=stage_id,
            amount=amount,
            currency=currency,
            owner=lead.owner or by,
            team=lead.team,
        )
    previous = lead.get_status_display()
    lead.customer, lead.opportunity = customer, opened
    lead.status = Lead.Status.CONVERTED
    lead.converted_at = lead.status_changed_at = timezone.now()
    lead.save()
    LeadActivity.objects.create(
        lead=lead,
        kind=LeadActivity.Kind.STATUS,
        detail=f"{previous} → {lead.get_status_display()}: {customer}",
        by=by,
    )
    interaction_record(
        customer_id=customer.pk,
        by=None,  # on the user's behalf: the lead's customer may be his team's
        agent=by,
        channel=Interaction.Channel.NOTE,
        direction=Interaction.Direction.INTERNAL,
        subject=(
            _("Converted from lead: %(name)s (%(source)s)")
            % {"name": lead.name, "source": lead.get_source_display()}
        )[:200],
        body=_history_body(lead),
        related=lead,
        metadata={"kind": "lead", "lead_id": lead.pk, "source": lead.source},
    )
    emit(
        "lead.converted",
        lead_id=lead.pk,
        customer_id=customer.pk,
        opportunity_id=opened.pk if opened else None,
        reused_customer=reused,
        by=by.pk if by else None,
    )
    return Conversion(lead=lead, customer=customer, reused=reused, opportunity=opened)
