"""Entering and leaving journeys: the triggers' enrolments, the outbox subscriber, and
the way out (an unsubscription)."""

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.core.events import emit, emit_many
from panorama.customers.models import Consent

from ...models import (
    Enrolment,
    Journey,
    JourneyStep,
)


def _log(enrolment: Enrolment, step: JourneyStep | None, what: str) -> None:
    enrolment.log = [
        *enrolment.log[-49:],
        {"at": timezone.now().isoformat(), "step": step.pk if step else None, "what": what},
    ]


def journeys_enrol(
    *, trigger: str, key: int | str, customer_ids: list[int], now: datetime.datetime | None = None
) -> int:
    """Enrol these customers in the active journeys started by ``trigger`` (``key``: the
    list, the form or the event name). Set-based: a few queries for any number. Returns
    how many enrolments were made."""
    if not customer_ids:
        return 0
    field = {"list_joined": "trigger_list_id", "confirmed": "trigger_form_id"}.get(
        trigger, "trigger_event"
    )
    journeys = list(
        Journey.objects.filter(status=Journey.Status.ACTIVE, trigger=trigger, **{field: key})
    )
    now = now or timezone.now()
    return sum(_enrol(journey, customer_ids, now) for journey in journeys)


def _enrol(journey: Journey, customer_ids: list[int], now: datetime.datetime) -> int:
    """Enrol these customers in ``journey`` at its first step: once per customer, or
    again after the previous run is over when it allows re-entry (never twice at the
    same time). Returns how many enrolments were made."""
    first = journey.steps.filter(parent__isnull=True).order_by("position", "id").first()
    if first is None:
        return 0
    taken = Enrolment.objects.filter(journey=journey, customer_id__in=customer_ids)
    if journey.allow_reentry:
        taken = taken.filter(status=Enrolment.Status.ACTIVE)
    busy = set(taken.values_list("customer_id", flat=True))
    rows = [
        Enrolment(journey=journey, customer_id=cid, step=first, due_at=now)
        for cid in sorted(set(customer_ids) - busy)
    ]
    if not rows:
        return 0
    Enrolment.objects.bulk_create(rows)
    created = Enrolment.objects.filter(
        journey=journey,
        customer_id__in=[r.customer_id for r in rows],
        status=Enrolment.Status.ACTIVE,
    ).values_list("pk", "customer_id")
    emit_many(
        "journey.enrolled",
        [{"journey_id": journey.pk, "customer_id": c, "enrolment_id": e} for e, c in created],
    )
    return len(rows)


def journey_enrol(*, journey_id: int, customer_id: int) -> bool:
    """Enrol one customer in this active journey whatever its trigger (a business rule's
    action), with the triggers' rules: once per customer unless it allows re-entry. True
    when he entered; False when he is in it already (or went through it), the journey
    is not active or has no step. Consent is checked by each e-mail step when due."""
    journey = Journey.objects.filter(pk=journey_id, status=Journey.Status.ACTIVE).first()
    if journey is None:
        return False
    return _enrol(journey, [customer_id], timezone.now()) == 1


def _leave(enrolment: Enrolment, status: str, reason: str = "") -> None:
    enrolment.status, enrolment.exit_reason = status, reason[:200]
    enrolment.step, enrolment.due_at, enrolment.finished_at = None, None, timezone.now()
    enrolment.save(update_fields=["status", "exit_reason", "step", "due_at", "finished_at", "log"])
    emit(
        "journey.left",
        journey_id=enrolment.journey_id,
        customer_id=enrolment.customer_id,
        enrolment_id=enrolment.pk,
        status=status,
        reason=reason[:200],
    )


@transaction.atomic
def journeys_exit_customer(*, customer_id: int, reason: str) -> int:
    """Take the customer out of every journey he is in (an unsubscription)."""
    rows = list(
        Enrolment.objects.select_for_update().filter(
            customer_id=customer_id, status=Enrolment.Status.ACTIVE
        )
    )
    for enrolment in rows:
        _log(enrolment, None, reason)
        _leave(enrolment, Enrolment.Status.EXITED, reason)
    return len(rows)


def handle_event(name: str, payload: dict[str, Any], event_id: int) -> None:
    """The durable subscriber: an event enrols its customer in the journeys it starts;
    a withdrawn consent to marketing e-mail takes him out of every journey."""
    customer_id = payload.get("customer_id")
    if not isinstance(customer_id, int):
        return
    if name == "consent.withdrawn":
        if payload.get("purpose") == Consent.Purpose.MARKETING and payload.get("channel") in (
            Consent.Channel.EMAIL,
            Consent.Channel.ANY,
        ):
            journeys_exit_customer(
                customer_id=customer_id, reason=_("Withdrew the consent to marketing e-mail")
            )
        return
    journeys_enrol(trigger="event", key=name, customer_ids=[customer_id])
