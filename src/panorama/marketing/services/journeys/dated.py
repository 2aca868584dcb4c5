"""The dated triggers: a customer's birthday and a product held about to end. Looked at
once a day per active journey by the worker's sweep (``journeys_advance``), each in one
query over the customers or the holdings (never a loop over the customers); a customer
enters once per occurrence: once a year for his birthday, once per holding ending."""

import calendar
import datetime

from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Q
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from panorama.core.events import emit_many
from panorama.customers.models import Customer, Holding

from ...models import Enrolment, Journey

DATED = (Journey.Trigger.BIRTHDAY, Journey.Trigger.HOLDING_END)


def _unchecked(today: datetime.date):
    return Journey.objects.filter(status=Journey.Status.ACTIVE, trigger__in=DATED).filter(
        Q(dates_checked_on__isnull=True) | Q(dates_checked_on__lt=today)
    )


def journeys_dated_pending(*, now: datetime.datetime | None = None) -> bool:
    """Whether an active dated journey has not been looked at today (the sweep's cue)."""
    return _unchecked(timezone.localdate(now or timezone.now())).exists()


def _birthdays(journey: Journey, today: datetime.date) -> list[tuple[int, str, str]]:
    """(customer, occurrence, why) of the persons born on this day (on 29 February, the
    28th of a common year) not yet enrolled this year, nor running the journey now."""
    days = [today.day]
    if (today.month, today.day) == (2, 28) and not calendar.isleap(today.year):
        days.append(29)
    year = str(today.year)
    taken = Enrolment.objects.filter(journey=journey, customer_id=OuterRef("pk")).filter(
        Q(occurrence=year) | Q(status=Enrolment.Status.ACTIVE)
    )
    ids = (
        Customer.objects.filter(
            kind=Customer.Kind.PERSON, birth_date__month=today.month, birth_date__day__in=days
        )
        .exclude(Exists(taken))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    why = _("Birthday %(year)s") % {"year": year}
    return [(pk, year, why) for pk in ids]


def _holdings_ending(journey: Journey, today: datetime.date) -> list[tuple[int, str, str]]:
    """(customer, occurrence, why) of the active holdings ending from today to the
    journey's horizon, each never enrolled before, one per customer (the one ending
    first; the next when that run is over) and none for a customer running it now."""
    horizon = today + datetime.timedelta(days=journey.trigger_days or 0)
    same_holding = Enrolment.objects.filter(
        journey=journey, occurrence=Cast(OuterRef("pk"), CharField())
    )
    running = Enrolment.objects.filter(
        journey=journey, customer_id=OuterRef("customer_id"), status=Enrolment.Status.ACTIVE
    )
    rows = (
        Holding.objects.filter(
            status=Holding.Status.ACTIVE, end_date__gte=today, end_date__lte=horizon
        )
        .exclude(Exists(same_holding))
        .exclude(Exists(running))
        .order_by("end_date", "pk")
        .values_list("pk", "customer_id", "product_name", "end_date")
    )
    found: dict[int, tuple[int, str, str]] = {}
    for pk, customer_id, product, end in rows:
        why = _("%(product)s ends on %(date)s") % {
            "product": product,
            "date": date_format(end, "SHORT_DATE_FORMAT") if end else "",
        }
        found.setdefault(customer_id, (customer_id, str(pk), why))
    return list(found.values())


@transaction.atomic
def _enrol_dated(journey: Journey, today: datetime.date, now: datetime.datetime) -> int:
    """One journey's enrolments of the day, their events and the day noted."""
    first = journey.steps.filter(parent__isnull=True).order_by("position", "id").first()
    found = []
    if first is not None:
        pick = _birthdays if journey.trigger == Journey.Trigger.BIRTHDAY else _holdings_ending
        found = pick(journey, today)
    events = []
    if found:
        at = now.isoformat()
        rows = [
            Enrolment(
                journey=journey,
                customer_id=customer_id,
                step=first,
                due_at=now,
                occurrence=occurrence,
                log=[{"at": at, "step": None, "what": why}],
            )
            for customer_id, occurrence, why in found
        ]
        # Another worker may have enrolled some meanwhile: the constraints keep one.
        Enrolment.objects.bulk_create(rows, ignore_conflicts=True)
        created = Enrolment.objects.filter(
            journey=journey,
            occurrence__in=[r.occurrence for r in rows],
            customer_id__in=[r.customer_id for r in rows],
            status=Enrolment.Status.ACTIVE,
            due_at=now,
        ).values_list("pk", "customer_id")
        events = [
            {"journey_id": journey.pk, "customer_id": c, "enrolment_id": e} for e, c in created
        ]
        emit_many("journey.enrolled", events)
    Journey.objects.filter(pk=journey.pk).update(dates_checked_on=today)
    return len(events)


def journeys_enrol_dated(*, now: datetime.datetime | None = None) -> int:
    """Enrol today's birthdays and holdings about to end in the active dated journeys not
    looked at today. Returns how many enrolments were made."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    return sum(_enrol_dated(journey, today, now) for journey in _unchecked(today))
