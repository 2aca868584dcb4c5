"""Leads: capture, edit, assignment, the status lifecycle and activities. Every change
recomputes the score (``lead_scoring``); a lead captured without an owner goes through
the assignment rules (``lead_assignment``). Conversion is in ``lead_convert``."""

from typing import Any, TypedDict, Unpack

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.accounts.models import Team, User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, ValidationFailed
from panorama.core.validation import FieldProblems, rules_for
from panorama.customers import identifiers
from panorama.customers.services.customer import assignment_resolve

from ..models import Lead, LeadActivity, LeadImport, WebForm
from ..selectors import lead_get
from .lead_assignment import assignment_apply
from .lead_scoring import lead_score_refresh

CONTACT_FIELDS = ("first_name", "last_name", "company", "email", "phone")
EDITABLE_FIELDS = (*CONTACT_FIELDS, "job_title", "notes", "source", "data")
DATA_FIELDS = ("country", "region", "postal_code")
# The order a lead's problems are reported in: the form's and the import's.
FIELD_ORDER = (*CONTACT_FIELDS[:3], "job_title", *CONTACT_FIELDS[3:], "source", "data")


def lead_validate(lead: Lead) -> None:
    """The one validation of a lead's fields (``lead_build`` — so ``lead_create``, the
    API, the form and the import — and ``lead_update``): the values are tidied, and
    every field at fault is reported at once, as one ValidationFailed whose ``errors``
    name each field with its problems."""
    for name in (*CONTACT_FIELDS, "job_title"):
        setattr(lead, name, (getattr(lead, name) or "").strip())
    lead.email = lead.email.lower()
    problems = FieldProblems()
    if lead.source not in Lead.Source.values:
        problems.add(
            ValidationFailed(_("Unknown lead source %(s)s.") % {"s": lead.source}, field="source")
        )
    if not any(getattr(lead, f) for f in CONTACT_FIELDS):
        problems.add(
            ValidationFailed(
                _("A lead needs a name, a company, an e-mail or a phone."), field="last_name"
            )
        )
    if lead.email:
        lead.email = problems.attempt(identifiers.normalise_email, lead.email) or lead.email
    if not isinstance(lead.data, dict):
        problems.add(ValidationFailed(_("Other data must be an object."), field="data"))
    rules_for(Lead).check_every(lead, problems)
    problems.raise_any(order=FIELD_ORDER)


def _activity(lead: Lead, kind: str, detail: str, by: User | None) -> LeadActivity:
    return LeadActivity.objects.create(lead=lead, kind=kind, detail=detail[:300], by=by)


class LeadFields(TypedDict, total=False):
    """What a lead is captured with (``lead_build``, ``lead_create``)."""

    source: str
    first_name: str
    last_name: str
    company: str
    job_title: str
    email: str
    phone: str
    notes: str
    data: dict[str, Any] | None
    owner: User | None
    team: Team | None
    web_form: WebForm | None
    lead_import: LeadImport | None
    unowned: bool
    customer_id: int | None


def lead_build(*, by: User | None, **fields: Unpack[LeadFields]) -> Lead:
    """A lead as ``lead_create`` would capture it, checked (permissions, fields) and not
    saved: the one validation of a lead, for ``lead_create`` and for a set of leads
    written together (``lead_bulk.leads_create_many``, the import)."""
    ensure_can(by, "sales.edit")
    owner, unowned = fields.get("owner"), fields.get("unowned", False)
    data = fields.get("data")
    lead = Lead(
        source=fields.get("source", Lead.Source.MANUAL),
        first_name=fields.get("first_name") or "",
        last_name=fields.get("last_name") or "",
        company=fields.get("company") or "",
        job_title=fields.get("job_title") or "",
        email=fields.get("email") or "",
        phone=fields.get("phone") or "",
        notes=fields.get("notes") or "",
        data=data if data is not None else {},
        owner=owner if owner is not None or unowned else by,
        team=fields.get("team"),
        web_form=fields.get("web_form"),
        lead_import=fields.get("lead_import"),
        customer_id=fields.get("customer_id"),
        status_changed_at=timezone.now(),
    )
    lead_validate(lead)
    # The user's own choice of owner and team is checked; what the rules choose is not
    # his (an import may leave every lead to them).
    if by is not None and not (unowned and lead.owner_id is None and lead.team_id is None):
        ensure_can(by, "sales.assign", obj=lead)
    return lead


@transaction.atomic
def lead_create(*, by: User | None, assign: bool = True, **fields: Unpack[LeadFields]) -> Lead:
    """Capture a lead (``fields``: those of ``lead_build``). ``by`` None is a public
    form, an e-mail or the system. A lead needs something to reach or name the person
    by; a user's lead is his own unless he gives it to someone else. A lead left
    without an owner goes through the assignment rules (``assign``; ``unowned``: even
    when a user captures it, as an import may ask); its score is computed from the
    scoring rules."""
    lead = lead_build(by=by, **fields)
    assigned = assignment_apply(lead) if assign else None
    lead.save()
    _activity(lead, LeadActivity.Kind.CAPTURED, lead.get_source_display(), by)
    lead_score_refresh(lead)
    by_id = by.pk if by else None
    emit("lead.created", lead_id=lead.pk, source=lead.source, by=by_id)
    if assigned is not None:
        _activity(lead, LeadActivity.Kind.ASSIGNED, lead.assignment_note, None)
        _assigned_event(lead, by_id, rule=assigned.rule.name)
    return lead


def _assigned_event(lead: Lead, by_id: int | None, *, rule: str = "") -> None:
    emit(
        "lead.assigned",
        lead_id=lead.pk,
        owner_id=lead.owner_id,
        team_id=lead.team_id,
        rule=rule,
        by=by_id,
    )


def _editable(by: User | None, lead_id: int) -> Lead:
    ensure_can(by, "sales.edit")
    lead = lead_get(user=by, lead_id=lead_id, for_update=True)
    if lead.status == Lead.Status.CONVERTED:
        raise Conflict(
            _("This lead was converted: change its customer or opportunity instead."),
            field="status",
        )
    return lead


@transaction.atomic
def lead_update(*, by: User | None, lead_id: int, changes: dict[str, Any]) -> Lead:
    """Change a lead's fields (``changes``: field → value; ``data`` keys are merged).
    A new lead someone works on moves to working."""
    unknown = set(changes) - set(EDITABLE_FIELDS) - set(DATA_FIELDS)
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed: %(f)s.") % {"f": ", ".join(sorted(unknown))},
            field=sorted(unknown)[0],
        )
    lead = _editable(by, lead_id)
    changed: list[str] = []
    for name, value in changes.items():
        if name == "data":
            if not isinstance(value, dict):
                raise ValidationFailed(_("Other data must be an object."), field="data")
            merged = {**lead.data, **value}
            if merged != lead.data:
                lead.data, changed = merged, [*changed, name]
        elif name in DATA_FIELDS:
            text = str(value or "").strip()
            if (lead.data or {}).get(name, "") != text:
                lead.data = {**lead.data, name: text}
                changed.append(name)
        elif (getattr(lead, name) or "") != (value or ""):
            setattr(lead, name, value if value is not None else "")
            changed.append(name)
    lead_validate(lead)
    if not changed:
        return lead
    started = lead.status == Lead.Status.NEW
    if started:
        lead.status, lead.status_changed_at = Lead.Status.WORKING, timezone.now()
    lead.save()
    if started:
        detail = f"{Lead.Status.NEW.label} → {Lead.Status.WORKING.label}"
        _activity(lead, LeadActivity.Kind.STATUS, detail, by)
    lead_score_refresh(lead)
    emit("lead.updated", lead_id=lead.pk, fields=sorted(set(changed)), by=by.pk if by else None)
    return lead


@transaction.atomic
def lead_assign(
    *, by: User | None, lead_id: int, owner_id: int | None, team_id: int | None
) -> Lead:
    """Give the lead to ``owner_id`` in ``team_id`` (None: nobody / no team). A rep
    cannot hand a lead out of his own sight (same rule as customers)."""
    lead = _editable(by, lead_id)
    owner, team = assignment_resolve(owner_id=owner_id, team_id=team_id)
    if (lead.owner_id, lead.team_id) == (owner_id, team_id):
        return lead
    lead.owner, lead.team = owner, team
    lead.assignment_note = ""
    if by is not None:
        ensure_can(by, "sales.assign", obj=lead)
    lead.save()
    who = (owner.get_full_name() or owner.username) if owner else _("nobody")
    _activity(lead, LeadActivity.Kind.ASSIGNED, who, by)
    _assigned_event(lead, by.pk if by else None)
    return lead


# The lifecycle: new → working → qualified / disqualified → converted (by lead_convert).
TRANSITIONS = {
    Lead.Status.NEW: {Lead.Status.WORKING, Lead.Status.QUALIFIED, Lead.Status.DISQUALIFIED},
    Lead.Status.WORKING: {Lead.Status.QUALIFIED, Lead.Status.DISQUALIFIED},
    Lead.Status.QUALIFIED: {Lead.Status.WORKING, Lead.Status.DISQUALIFIED},
    Lead.Status.DISQUALIFIED: {Lead.Status.WORKING},
    Lead.Status.CONVERTED: set(),
}


@transaction.atomic
def lead_status_change(
    *, by: User | None, lead_id: int, status: str, reason: str = "", restore: bool = False
) -> Lead:
    """Move the lead along its lifecycle; disqualifying needs a reason. Conversion is
    ``lead_convert``'s alone. ``restore``: put back a status the lead had (a bulk
    action's undo), new included, without the lifecycle's usual steps."""
    lead = _editable(by, lead_id)
    if status not in Lead.Status.values or status == Lead.Status.CONVERTED:
        raise ValidationFailed(_("Unknown status %(s)s.") % {"s": status}, field="status")
    if status == lead.status:
        return lead
    if not restore and status not in TRANSITIONS[Lead.Status(lead.status)]:
        raise Conflict(
            _("A lead that is %(from)s cannot become %(to)s.")
            % {"from": lead.get_status_display().lower(), "to": Lead.Status(status).label.lower()},
            field="status",
        )
    reason = (reason or "").strip()
    if status == Lead.Status.DISQUALIFIED and not reason:
        raise ValidationFailed(_("Say why the lead is disqualified."), field="reason")
    previous = lead.status
    lead.status = status
    lead.disqualify_reason = reason if status == Lead.Status.DISQUALIFIED else ""
    rules_for(Lead).check(lead)
    lead.status_changed_at = timezone.now()
    lead.save()
    detail = f"{Lead.Status(previous).label} → {lead.get_status_display()}"
    _activity(lead, LeadActivity.Kind.STATUS, f"{detail}: {reason}" if reason else detail, by)
    lead_score_refresh(lead)
    by_id = by.pk if by else None
    if status == Lead.Status.QUALIFIED:
        emit("lead.qualified", lead_id=lead.pk, by=by_id)
    elif status == Lead.Status.DISQUALIFIED:
        emit("lead.disqualified", lead_id=lead.pk, reason=reason, by=by_id)
    else:
        emit("lead.reopened", lead_id=lead.pk, status=status, by=by_id)
    return lead


def lead_qualify(*, by: User | None, lead_id: int) -> Lead:
    return lead_status_change(by=by, lead_id=lead_id, status=Lead.Status.QUALIFIED)


def lead_disqualify(*, by: User | None, lead_id: int, reason: str) -> Lead:
    return lead_status_change(
        by=by, lead_id=lead_id, status=Lead.Status.DISQUALIFIED, reason=reason
    )


@transaction.atomic
def lead_activity_record(
    *, by: User | None, lead_id: int, kind: str, detail: str = ""
) -> LeadActivity:
    """Record a visit, an e-mail reply, a call... on a lead (behaviour scoring counts
    these); the score is recomputed."""
    ensure_can(by, "sales.edit")
    lead = lead_get(user=by, lead_id=lead_id, for_update=True)
    if kind not in LeadActivity.RECORDABLE:
        raise ValidationFailed(_("Unknown activity %(k)s.") % {"k": kind}, field="kind")
    activity = LeadActivity(lead=lead, kind=kind, detail=(detail or "").strip(), by=by)
    rules_for(LeadActivity).check(activity)
    activity.save()
    lead_score_refresh(lead)
    emit(
        "lead.activity_recorded",
        lead_id=lead.pk,
        kind=kind,
        score=lead.score,
        by=by.pk if by else None,
    )
    return activity
