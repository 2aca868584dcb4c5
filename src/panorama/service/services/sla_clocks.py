"""The SLA clocks a case page shows: each target's business time left, and its state."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Case
from .business_hours import business_minutes_between
from .sla import hours_of


@dataclass
class Clock:
    """One target as the case page shows it."""

    label: str
    due: datetime | None
    met_at: datetime | None
    minutes_left: int | None  # business minutes; negative: breached by that much
    state: str  # "met", "missed", "running", "warning", "breached", "paused"

    @property
    def left(self) -> str:
        return duration_text(max(0, self.minutes_left or 0))

    @property
    def overdue(self) -> str:
        return duration_text(max(0, -(self.minutes_left or 0)))


def duration_text(minutes: int) -> str:
    """Business time as "2 h 05 min" (or "45 min")."""
    hours, rest = divmod(int(minutes), 60)
    if hours:
        return _("%(h)s h %(m)02d min") % {"h": hours, "m": rest}
    return _("%(m)s min") % {"m": rest}


def sla_clocks(case: Case, now: datetime | None = None) -> list[Clock]:
    """The first-response and resolution clocks of a case, with the business time left."""
    if case.sla_policy is None:
        return []
    now = now or timezone.now()
    hours = hours_of(case.sla_policy.calendar)
    clocks = []
    for label, due, met in (
        (_("First response"), case.first_response_due, case.first_response_at),
        (_("Resolution"), case.resolution_due, case.resolved_at),
    ):
        if due is None:
            continue
        if met is not None:
            clocks.append(Clock(label, due, met, None, "met" if met <= due else "missed"))
            continue
        left = business_minutes_between(hours, case.sla_paused_at or now, due)
        if case.sla_paused_at is not None:
            state = "paused"
        elif left < 0 or now >= due:
            state = "breached"
        elif left <= case.sla_policy.warn_minutes:
            state = "warning"
        else:
            state = "running"
        clocks.append(Clock(label, due, None, left, state))
    return clocks
