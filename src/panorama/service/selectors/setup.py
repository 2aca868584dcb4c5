"""Reads of the service set-up: queues with their members, calendars with their company
holidays, SLA policies; each list in a fixed number of queries whatever its length.
Everyone signed in reads them (queue names are in every case filter); writing them is
``service.configure`` (``services/setup.py``)."""

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from panorama.core.exceptions import NotFound

from ..models import BusinessCalendar, Queue, QueueMember, SlaPolicy


def _members() -> Prefetch:
    return Prefetch(
        "memberships",
        queryset=QueueMember.objects.select_related("user").order_by(
            "user__first_name", "user__last_name", "user__username"
        ),
    )


def queues() -> QuerySet[Queue]:
    """Every queue, active first, by name, with its members (two queries)."""
    return Queue.objects.prefetch_related(_members()).order_by("-active", "name")


def queue_get(*, queue_id: int) -> Queue:
    """One queue, active or not, with its members (the set-up's, unlike
    ``selectors.queue_get`` which only answers active queues for a case)."""
    queue = queues().filter(pk=queue_id).first()
    if queue is None:
        raise NotFound(_("Queue %(id)s does not exist.") % {"id": queue_id})
    return queue


def calendars() -> QuerySet[BusinessCalendar]:
    """Every calendar with its company holidays (two queries)."""
    return BusinessCalendar.objects.prefetch_related("extra_holidays").order_by("name")


def calendar_get(*, calendar_id: int) -> BusinessCalendar:
    calendar = calendars().filter(pk=calendar_id).first()
    if calendar is None:
        raise NotFound(_("Calendar %(id)s does not exist.") % {"id": calendar_id})
    return calendar


def policies() -> QuerySet[SlaPolicy]:
    """Every policy, active first, with its calendar, queues, escalation agent and
    marketing segment (one query)."""
    return SlaPolicy.objects.select_related(
        "calendar", "queue", "escalate_to_queue", "escalate_to_user", "marketing_segment"
    ).order_by("-active", "name")


def policy_get(*, policy_id: int) -> SlaPolicy:
    policy = policies().filter(pk=policy_id).first()
    if policy is None:
        raise NotFound(_("SLA policy %(id)s does not exist.") % {"id": policy_id})
    return policy
