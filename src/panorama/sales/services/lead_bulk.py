"""Leads captured as a set (an import's batch), written in sets: what ``lead_create``
does for one lead — the assignment rules, the capture and assignment activities, the
score, the ``lead.created`` and ``lead.assigned`` events — done for many at once, in a
number of queries that does not grow with the leads (but for the outbox's rows, which
``bulk_create`` splits at SQLite's 999 parameters below ``outbox.BULK_WRITE_FROM``
events: one more INSERT per 142 deliveries).

The leads come checked by ``lead.lead_build`` (the one validation of a lead, called
per row by the caller, which keeps each refused row with its problems). Then, for the
whole set: the assignment rules through one ``AssignmentPlan`` (rules, reps and open
leads read once; each lead advances the round robin and its rep's open leads in
memory, in order, as one capture after another would), the scoring rules read once
and evaluated per lead in Python (``lead_score_compute``: a lead just captured has one
activity, its capture), the leads inserted with their score and then their activities
(``core.bulk.objects_insert``: an import's write, ids reserved, one prepared statement
per table; no signals, as with ``bulk_create``), the round robin turns that moved
written, and the events emitted together (``emit_many``). Owners, teams, notes, scores
and activities equal ``lead_create``'s on the same leads in the same order (tested on
both paths)."""

from django.db import transaction
from django.utils import timezone

from panorama.accounts.models import User
from panorama.core.bulk import model_new, objects_insert
from panorama.core.events import emit_many

from ..models import Lead, LeadActivity
from .lead_assignment import Assignment, AssignmentPlan
from .lead_scoring import active_rules, lead_score_compute

# The activities a lead just captured has when it is scored (``lead_create`` scores it
# after its capture is recorded and before its assignment is).
_AT_CAPTURE = {LeadActivity.Kind.CAPTURED.value: 1}


@transaction.atomic
def leads_create_many(*, by: User | None, leads: list[Lead], assign: bool = True) -> list[Lead]:
    """Save ``leads`` (built by ``lead_build``, in the order they were captured) as
    ``lead_create`` would one by one; they get their ids."""
    if not leads:
        return leads
    assigned: list[Assignment | None] = [None] * len(leads)
    plan = None
    if assign and any(lead.owner_id is None for lead in leads):
        plan = AssignmentPlan()
        assigned = [plan.apply(lead) for lead in leads]
    rules = active_rules()
    for lead in leads:
        lead.score, lead.score_explanation = lead_score_compute(
            lead, rules=rules, counts=_AT_CAPTURE
        )
    objects_insert(leads)
    sources: dict[str, str] = {}  # the source's label once per source, not per lead
    activities: list[LeadActivity] = []
    for lead, found in zip(leads, assigned, strict=True):
        if lead.source not in sources:
            sources[lead.source] = lead.get_source_display()
        activities.append(_activity(lead, LeadActivity.Kind.CAPTURED, sources[lead.source], by))
        if found is not None:
            activities.append(
                _activity(lead, LeadActivity.Kind.ASSIGNED, lead.assignment_note, None)
            )
    objects_insert(activities)
    if plan is not None:
        plan.save()
    by_id = by.pk if by else None
    emit_many(
        "lead.created",
        [{"lead_id": lead.pk, "source": lead.source, "by": by_id} for lead in leads],
    )
    emit_many(
        "lead.assigned",
        [
            {
                "lead_id": lead.pk,
                "owner_id": lead.owner_id,
                "team_id": lead.team_id,
                "rule": found.rule.name,
                "by": by_id,
            }
            for lead, found in zip(leads, assigned, strict=True)
            if found is not None
        ],
    )
    return leads


def _activity(lead: Lead, kind: str, detail: str, by: User | None) -> LeadActivity:
    return model_new(
        LeadActivity, lead=lead, kind=kind, detail=detail[:300], by=by, at=timezone.now()
    )
