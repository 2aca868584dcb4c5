"""The SLA sweep, run by the task worker every minute (``service/tasks.py``): it warns of
cases about to breach and escalates breached ones per their policy (another queue or
agent, a higher priority, an e-mail to the manager). Set-based: a few UPDATEs per
policy whatever the number of cases; each case is warned once and escalated once per
target breached (the ``*_at`` columns are the memory; an UPDATE marks its rows with the
sweep's instant, read back for the events)."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Case as When_
from django.db.models import F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.core.events import emit

from ..models import Case, SlaPolicy

# Waiting on the customer pauses the clock: those cases are left alone.
RUNNING = (Case.Status.NEW, Case.Status.OPEN, Case.Status.REOPENED)
MAIL_LINES = 200  # the manager's e-mail lists this many cases, then counts the rest
NEXT_PRIORITY = {"low": "normal", "normal": "high", "high": "urgent"}
# (target, due column, escalated column, condition that the target is still pending)
TARGETS = (
    ("first_response", "first_response_due", "response_escalated_at", Q(first_response_at=None)),
    ("resolution", "resolution_due", "resolution_escalated_at", Q()),
)


def _running(policy: SlaPolicy) -> QuerySet[Case]:
    return Case.objects.filter(sla_policy=policy, status__in=RUNNING)


def _warn(policy: SlaPolicy, now: datetime) -> int:
    # The warning window is counted in wall-clock minutes (set-based); the breach itself
    # is exact, since the due times are business-hours instants.
    soon = now + timedelta(minutes=policy.warn_minutes)
    pending = Q()
    for _target, due, _done, still in TARGETS:
        pending |= still & Q(**{f"{due}__lte": soon, f"{due}__gt": now})
    # One UPDATE marks them with this sweep's instant; the marked rows are read back.
    warned = _running(policy).filter(pending, sla_warned_at=None).update(sla_warned_at=now)
    if not warned:
        return 0
    rows = _running(policy).filter(sla_warned_at=now)
    for pk, responded, first_due, resolution_due in rows.values_list(
        "pk", "first_response_at", "first_response_due", "resolution_due"
    ).iterator(chunk_size=2000):
        first = responded is None and first_due is not None and first_due <= soon
        when = first_due if first else resolution_due
        emit(
            "case.sla_warned",
            case_id=pk,
            target="first_response" if first else "resolution",
            due=when.isoformat() if when else "",
        )
    return warned


def _escalate(policy: SlaPolicy, now: datetime) -> list[tuple[int, str]]:
    escalated: list[tuple[int, str]] = []
    for target, due, done, still in TARGETS:
        changes: dict = {done: now, "sla_warned_at": Coalesce(F("sla_warned_at"), Value(now))}
        if policy.raise_priority:
            changes["priority"] = When_(
                *[When(priority=old, then=Value(new)) for old, new in NEXT_PRIORITY.items()],
                default=F("priority"),
            )
        if policy.escalate_to_queue_id:
            changes["queue_id"] = policy.escalate_to_queue_id
            changes["owner_id"] = policy.escalate_to_user_id
        elif policy.escalate_to_user_id:
            changes["owner_id"] = policy.escalate_to_user_id
        # One UPDATE for every breached case of the policy, marked with this instant. The
        # marked rows are found by the policy they had (the UPDATE keeps sla_policy).
        count = _running(policy).filter(still, **{f"{due}__lte": now, done: None}).update(**changes)
        if count:
            marked = Case.objects.filter(sla_policy=policy, **{done: now})
            escalated += [(pk, target) for pk in marked.values_list("pk", flat=True)]
    return escalated


def _notify(policy: SlaPolicy, escalated: list[tuple[int, str]]) -> None:
    shown = escalated[:MAIL_LINES]
    rows = dict(Case.objects.filter(pk__in=[pk for pk, _t in shown]).values_list("pk", "reference"))
    lines = [
        f"{rows.get(pk, pk)} — "
        + (_("first response overdue") if target == "first_response" else _("resolution overdue"))
        for pk, target in shown
    ]
    if len(escalated) > len(shown):
        lines.append(_("… and %(n)s more.") % {"n": len(escalated) - len(shown)})
    send_mail(
        subject=_("[Panorama] %(n)s case(s) breached the SLA policy %(policy)s")
        % {"n": len(escalated), "policy": policy.name},
        message=_("These cases were escalated:") + "\n\n" + "\n".join(lines),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[policy.manager_email],
    )


def sla_sweep(now: datetime | None = None) -> dict[str, int]:
    """Warn and escalate every running case with a policy; returns the counts."""
    now = now or timezone.now()
    warned = breached = 0
    for policy in SlaPolicy.objects.all():
        with transaction.atomic():
            warned += _warn(policy, now)
            escalated = _escalate(policy, now)
        if not escalated:
            continue
        breached += len(escalated)
        after = {
            row["pk"]: row
            for row in Case.objects.filter(sla_policy=policy)
            .filter(Q(response_escalated_at=now) | Q(resolution_escalated_at=now))
            .values("pk", "queue_id", "owner_id", "priority")
            .iterator(chunk_size=2000)
        }
        for pk, target in escalated:
            row = after[pk]
            emit(
                "case.escalated",
                case_id=pk,
                target=target,
                policy_id=policy.pk,
                queue_id=row["queue_id"],
                owner_id=row["owner_id"],
                priority=row["priority"],
            )
        if policy.manager_email:
            _notify(policy, escalated)
    return {"warned": warned, "escalated": breached}
