"""Leads from inbound e-mail (a mailbox that "creates leads", ``channels/mail/leads.py``).

The rule, one per sender address:
- the address already has an **open lead** (new, working or qualified): the message
  goes onto it — an "E-mail reply" activity (behaviour scoring counts it) and the
  message, dated, at the end of its notes; no second lead;
- otherwise a **new lead** of source e-mail: name and address from the From header,
  the subject and the text as its notes, linked to the customer when the address is
  one known customer's; scored and assigned by the rules like every lead.
A customer's message also lands on his timeline (the mail adapter does it, related to
the lead)."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.core.events import emit
from panorama.customers import identifiers
from panorama.customers.models import Customer

from ..models import Lead, LeadActivity
from .lead import lead_create
from .lead_scoring import lead_score_refresh

OPEN = Lead.OPEN_STATUSES


@dataclass
class MailLead:
    lead: Lead
    created: bool


def _names(display_name: str) -> tuple[str, str]:
    name = " ".join((display_name or "").replace('"', " ").split())
    if "," in name:  # "García, Ana"
        last, _comma, first = name.partition(",")
        return first.strip()[:100], last.strip()[:150]
    first, _space, last = name.partition(" ")
    return first[:100], last[:150]


def _message_text(subject: str, text: str) -> str:
    subject = (subject or "").strip() or _("(no subject)")
    return f"{subject}\n\n{(text or '').strip()}".strip()


@transaction.atomic
def lead_from_email(
    *,
    address: str,
    display_name: str = "",
    subject: str = "",
    text: str = "",
    customer: Customer | None = None,
) -> MailLead:
    """The lead an inbound message makes or joins (the system's write: no user)."""
    email = identifiers.normalise_email(address or "")
    existing = (
        Lead.objects.select_for_update()
        .filter(email=email, status__in=OPEN)
        .order_by("-id")
        .first()
        if email
        else None
    )
    if existing is not None:
        stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        message = _message_text(subject, text)
        existing.notes = "\n\n".join(
            part for part in (existing.notes.strip(), f"— {stamp} —\n{message}") if part
        )
        if customer is not None and existing.customer_id is None:
            existing.customer = customer
        existing.save(update_fields=["notes", "customer", "updated_at"])
        LeadActivity.objects.create(
            lead=existing,
            kind=LeadActivity.Kind.EMAIL_REPLY,
            detail=((subject or "").strip() or _("(no subject)"))[:300],
        )
        lead_score_refresh(existing)
        emit(
            "lead.activity_recorded",
            lead_id=existing.pk,
            kind=LeadActivity.Kind.EMAIL_REPLY,
            score=existing.score,
            by=None,
        )
        return MailLead(lead=existing, created=False)
    first, last = _names(display_name)
    company = ""
    if customer is not None and customer.kind == Customer.Kind.ORGANISATION:
        company = customer.display_name[:200]
    elif customer is not None and not (first or last):
        first, last = customer.first_name or "", customer.last_name or customer.display_name
    lead = lead_create(
        by=None,
        source=Lead.Source.EMAIL,
        first_name=first,
        last_name=last[:150],
        company=company,
        email=email,
        notes=_message_text(subject, text),
        customer_id=customer.pk if customer is not None else None,
    )
    return MailLead(lead=lead, created=True)
