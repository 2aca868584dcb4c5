"""Running journeys: the worker's sweep takes the due enrolments and runs their steps."""

import datetime
import logging

from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.customers.models import Customer
from panorama.sales.models import Order

from ...models import (
    Enrolment,
    Journey,
    JourneyMessage,
    JourneyStep,
    Segment,
    StaticList,
)
from ...rules.activity import BOUGHT
from . import tree
from .build import BATCH, BRANCH_TESTS, MAX_STEPS_PER_RUN, K, _steps
from .dated import journeys_enrol_dated
from .enrol import _leave, _log
from .mail import _send

logger = logging.getLogger("panorama.marketing.services.journeys")


def journeys_due(
    *, now: datetime.datetime | None = None, limit: int = BATCH, among: list[int] | None = None
) -> list[int]:
    now = now or timezone.now()
    due = Enrolment.objects.filter(
        status=Enrolment.Status.ACTIVE,
        due_at__lte=now,
        journey__status=Journey.Status.ACTIVE,
    )
    if among is not None:
        due = due.filter(pk__in=among)
    return list(due.order_by("due_at", "pk").values_list("pk", flat=True)[:limit])


def branches_met(
    *, now: datetime.datetime | None = None, customer_ids: list[int] | None = None
) -> int:
    """End early the waits at a branch whose test is already met ("wait until he opens,
    clicks or buys, or N days"): their customers are made due now, so the next run takes
    them down the yes path (``customer_ids``: only theirs). The number of waits ended."""
    return len(branches_met_ids(now=now, customer_ids=customer_ids))


def branches_met_ids(
    *, now: datetime.datetime | None = None, customer_ids: list[int] | None = None
) -> list[int]:
    """``branches_met``, returning the enrolments made due: the same tests as
    ``_branch_test``, one SELECT and one UPDATE."""
    now = now or timezone.now()
    latest = (
        JourneyMessage.objects.filter(enrolment_id=OuterRef(OuterRef("pk")))
        .order_by("-sent_at", "-id")
        .values("pk")[:1]
    )
    of_latest = JourneyMessage.objects.filter(pk=Subquery(latest))
    opened = Exists(of_latest.filter(Q(opened_at__isnull=False) | Q(clicked_at__isnull=False)))
    clicked = Exists(of_latest.filter(clicked_at__isnull=False))
    bought = Exists(
        Order.objects.filter(
            customer_id=OuterRef("customer_id"),
            status__in=BOUGHT,
            created_at__gte=OuterRef("entered_at"),
        )
    )
    met = (
        (Q(step__config__test="opened") & Q(opened))
        | (Q(step__config__test="clicked") & Q(clicked))
        | (Q(step__config__test="bought") & Q(bought))
    )
    waiting = Enrolment.objects.filter(
        status=Enrolment.Status.ACTIVE,
        journey__status=Journey.Status.ACTIVE,
        step__kind=K.BRANCH,
        branch_since__isnull=False,
        due_at__gt=now,
    )
    if customer_ids is not None:
        waiting = waiting.filter(customer_id__in=customer_ids)
    ids = list(waiting.filter(met).values_list("pk", flat=True))
    if ids:
        Enrolment.objects.filter(pk__in=ids, due_at__gt=now).update(due_at=now)
    return ids


def journeys_advance(
    *,
    now: datetime.datetime | None = None,
    batch: int = BATCH,
    backend: str | None = None,
    enrolment_ids: list[int] | None = None,
) -> dict[str, int]:
    """Enrol today's birthdays and holdings about to end (once a day), then run the due
    enrolments, batch after batch, one transaction per customer. ``enrolment_ids``: run
    only those (if due), nothing else (an event that ended a wait at a branch)."""
    now = now or timezone.now()
    if enrolment_ids is None:
        journeys_enrol_dated(now=now)
        branches_met(now=now)
    counts = {"advanced": 0, "sent": 0, "finished": 0, "exited": 0, "failed": 0}
    connection = get_connection(backend)
    seen: set[int] = set()
    try:
        while True:
            due = journeys_due(now=now, limit=batch, among=enrolment_ids)
            ids = [i for i in due if i not in seen]
            if not ids:
                break
            seen.update(ids)
            for enrolment_id in ids:
                try:
                    with transaction.atomic():
                        _advance_one(enrolment_id, now=now, connection=connection, counts=counts)
                except Exception:  # noqa: BLE001 (an SMTP error): tried again next sweep
                    logger.exception("journey step failed", extra={"enrolment": enrolment_id})
                    counts["failed"] += 1
                    connection.close()
                    connection = get_connection(backend)
    finally:
        connection.close()
    return counts


def _advance_one(enrolment_id: int, *, now, connection, counts: dict[str, int]) -> None:
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("journey", "step")
        .filter(
            pk=enrolment_id,
            status=Enrolment.Status.ACTIVE,
            due_at__lte=now,
            journey__status=Journey.Status.ACTIVE,
        )
        .first()
    )
    if enrolment is None:  # another worker took it, or it changed since
        return
    counts["advanced"] += 1
    steps = _steps(enrolment.journey)
    fields = ["step", "due_at", "log", "branch_since"]
    for _round in range(MAX_STEPS_PER_RUN):
        step = enrolment.step
        if step is None:
            _log(enrolment, None, _("Reached the end of the journey"))
            _leave(enrolment, Enrolment.Status.DONE)
            counts["finished"] += 1
            return
        if step.kind == K.BRANCH:
            if enrolment.branch_since is None and step.config["days"] > 0:
                enrolment.branch_since = now
                enrolment.due_at = now + datetime.timedelta(days=step.config["days"])
                _log(
                    enrolment,
                    step,
                    _("Waits %(n)s days at the branch") % {"n": step.config["days"]},
                )
                enrolment.save(update_fields=fields)
                return
            taken = "yes" if _branch_test(enrolment, step) else "no"
            early = enrolment.branch_since is not None and now < (
                enrolment.branch_since + datetime.timedelta(days=step.config["days"])
            )
            if taken == "yes" and early:
                said = _("Yes: %(test)s (before the %(n)s days were over)")
            else:
                said = _("Yes: %(test)s") if taken == "yes" else _("No: not %(test)s")
            _log(
                enrolment,
                step,
                said % {"test": BRANCH_TESTS[step.config["test"]], "n": step.config["days"]},
            )
            enrolment.branch_since = None
            enrolment.step = tree.path_first(steps, step, taken)
            continue
        following = tree.step_next(steps, step)
        outcome = _run_step(enrolment, step, now=now, connection=connection, counts=counts)
        if outcome is not None:  # the customer leaves
            _log(enrolment, step, outcome)
            _leave(enrolment, Enrolment.Status.EXITED, outcome)
            counts["exited"] += 1
            return
        enrolment.step = following
        if step.kind == K.WAIT and step.config["days"] > 0:
            enrolment.due_at = now + datetime.timedelta(days=step.config["days"])
            enrolment.save(update_fields=fields)
            return
    enrolment.save(update_fields=fields)


def _branch_test(enrolment: Enrolment, step: JourneyStep) -> bool:
    """Did the customer open (or click) the journey's last e-mail to him, or buy since
    he entered the journey (an order confirmed, shipped or delivered)?"""
    test = step.config["test"]
    if test == "bought":
        return Order.objects.filter(
            customer_id=enrolment.customer_id,
            status__in=BOUGHT,
            created_at__gte=enrolment.entered_at,
        ).exists()
    latest = enrolment.messages.order_by("-sent_at", "-id").first()
    if latest is None:
        return False
    if test == "clicked":
        return latest.clicked_at is not None
    return latest.opened_at is not None or latest.clicked_at is not None


def _run_step(enrolment: Enrolment, step: JourneyStep, *, now, connection, counts) -> str | None:
    """Do one step; a text when the customer leaves the journey, else None."""
    customer_id = enrolment.customer_id
    config = step.config
    if step.kind == K.WAIT:
        _log(enrolment, step, _("Waits %(n)s days") % {"n": config["days"]})
        return None
    if step.kind == K.CONDITION:
        from ...selectors import segment_customers

        segment = Segment.objects.filter(pk=config["segment"]).first()
        if segment is None:
            return _("The segment of the condition was deleted")
        inside = segment_customers(user=None, rules=segment.rules).filter(pk=customer_id).exists()
        if inside == bool(config.get("negate")):
            return _("Not in the segment “%(name)s”") % {"name": segment.name}
        _log(enrolment, step, _("In the segment “%(name)s”") % {"name": segment.name})
        return None
    if step.kind == K.ADD_TO_LIST:
        from ..segments import list_join

        static_list = StaticList.objects.filter(pk=config["list"]).first()
        if static_list is None:
            _log(enrolment, step, _("The list was deleted: nothing done"))
            return None
        list_join(static_list=static_list, customer_ids=[customer_id])
        _log(enrolment, step, _("Added to the list “%(name)s”") % {"name": static_list.name})
        return None
    if step.kind == K.SEND:
        return _send(enrolment, step, connection=connection, counts=counts)
    customer = Customer.objects.get(pk=customer_id)
    if step.kind == K.TASK:
        if customer.owner_id is None:
            _log(enrolment, step, _("No manager: no task planned"))
            return None
        from panorama.sales.services.activity import activity_plan

        day = timezone.localdate(now) + datetime.timedelta(days=config["in_days"])
        activity = activity_plan(
            by=None,
            kind="task",
            subject=config["subject"],
            starts_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(9))),
            owner=customer.owner_id,
            customer_id=customer_id,
            notes=_("Planned by the journey “%(name)s”.") % {"name": enrolment.journey.name},
        )
        _log(enrolment, step, _("Task %(id)s planned") % {"id": activity.pk})
        return None
    if customer.owner_id is None and customer.team_id is None:
        _log(enrolment, step, _("No manager or team: no alert raised"))
        return None
    from panorama.automation.services.alerts import alert_raise

    alert = alert_raise(
        by=None,
        customer_id=customer_id,
        user_id=customer.owner_id,
        team_id=None if customer.owner_id else customer.team_id,
        title=config["title"],
        body=_("Raised by the journey “%(name)s”.") % {"name": enrolment.journey.name},
        source=f"journey:{enrolment.pk}:{step.pk}",
    )
    _log(enrolment, step, _("Alert %(id)s raised") % {"id": alert.pk})
    return None
