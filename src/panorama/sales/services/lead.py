"""Capturing leads. Qualification, scoring, assignment and conversion build on this."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from panorama.accounts.models import Team, User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import ValidationFailed
from panorama.core.validation import rules_for

from ..models import Lead

CONTACT_FIELDS = ("first_name", "last_name", "company", "email", "phone")


@transaction.atomic
def lead_create(
    *,
    by: User | None,
    source: str = Lead.Source.MANUAL,
    first_name: str = "",
    last_name: str = "",
    company: str = "",
    job_title: str = "",
    email: str = "",
    phone: str = "",
    notes: str = "",
    data: dict[str, Any] | None = None,
    owner: User | None = None,
    team: Team | None = None,
) -> Lead:
    """Capture a lead. ``by`` None is a public form, an e-mail or the system. A lead
    needs something to reach or name the person by; a user's lead is his own unless
    he gives it to someone else."""
    ensure_can(by, "sales.edit")
    if source not in Lead.Source.values:
        raise ValidationFailed(_("Unknown lead source %(s)s.") % {"s": source}, field="source")
    lead = Lead(
        source=source,
        first_name=(first_name or "").strip(),
        last_name=(last_name or "").strip(),
        company=(company or "").strip(),
        job_title=(job_title or "").strip(),
        email=(email or "").strip().lower(),
        phone=(phone or "").strip(),
        notes=notes or "",
        data=data or {},
        owner=owner if owner is not None else by,
        team=team,
    )
    if not any(getattr(lead, f) for f in CONTACT_FIELDS):
        raise ValidationFailed(
            _("A lead needs a name, a company, an e-mail or a phone."), field="last_name"
        )
    rules_for(Lead).check(lead)
    lead.save()
    emit("lead.created", lead_id=lead.pk, source=lead.source, by=by.pk if by else None)
    return lead
