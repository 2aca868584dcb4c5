"""Reads of cases: a case is visible exactly when its customer is (``scope_filter`` on
the customer), so an agent, who sees every customer, sees every case, and a sales rep
sees his own customers' cases."""

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.core.exceptions import NotFound, ValidationFailed
from panorama.core.pagination import Keyset, Page
from panorama.customers.selectors import scope_filter

from .models import Case, CaseMessage, Queue, QueueMember


def cases_visible_to(user: User | None) -> QuerySet[Case]:
    live = Case.objects.filter(customer__merged_into__isnull=True)
    return live if user is None else live.filter(scope_filter(user, "customer__"))


def case_get(*, user: User | None, case_id: int, for_update: bool = False) -> Case:
    qs = cases_visible_to(user)
    qs = qs.select_for_update() if for_update else qs.select_related("customer", "queue", "owner")
    case = qs.filter(pk=case_id).first()
    if case is None:
        raise NotFound(_("Case %(id)s does not exist or is not visible to you.") % {"id": case_id})
    return case


NEWEST_FIRST = Keyset("-id", types=(int,))


def case_list(
    *,
    user: User,
    customer_id: int | None = None,
    queue_id: int | None = None,
    owner_id: int | None = None,
    status: str = "",
    open_only: bool = False,
    cursor: str = "",
    limit: int = 50,
) -> Page:
    """A page of the cases ``user`` sees, newest first (keyset, no count)."""
    qs = cases_visible_to(user).select_related("customer", "queue", "owner")
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    if queue_id is not None:
        qs = qs.filter(queue_id=queue_id)
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    if status:
        if status not in Case.Status.values:
            raise ValidationFailed(_("Unknown status %(s)s.") % {"s": status}, field="status")
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.filter(status__in=Case.OPEN_STATUSES)
    return NEWEST_FIRST.page(qs, cursor=cursor, limit=max(1, min(limit, 200)))


def case_messages(*, case: Case, include_notes: bool = True) -> list[CaseMessage]:
    qs = case.messages.select_related("author")
    if not include_notes:
        qs = qs.exclude(kind=CaseMessage.Kind.NOTE)
    return list(qs.order_by("created_at", "id"))


def queue_get(*, queue_id: int) -> Queue:
    queue = Queue.objects.filter(pk=queue_id, active=True).first()
    if queue is None:
        raise ValidationFailed(_("Queue %(id)s does not exist.") % {"id": queue_id}, field="queue")
    return queue


def least_loaded_agent(*, queue: Queue, skill: str = "") -> User | None:
    """The active member of ``queue`` having ``skill`` with the fewest open cases (the
    longest-standing member on a tie), or None when nobody fits. Two queries."""
    members = [
        m
        for m in QueueMember.objects.filter(queue=queue, active=True, user__is_active=True)
        .select_related("user")
        .order_by("id")
        if not skill or skill.strip().lower() in m.skill_list()
    ]
    if not members:
        return None
    load = dict(
        Case.objects.filter(
            owner_id__in=[m.user_id for m in members], status__in=Case.OPEN_STATUSES
        )
        .values("owner_id")
        .annotate(n=Count("id"))
        .values_list("owner_id", "n")
    )
    return min(members, key=lambda m: load.get(m.user_id, 0)).user


def open_cases_for_panel(*, customer, user) -> list[Case]:
    """The customer's open cases for the ficha, newest first (one query)."""
    return list(
        Case.objects.filter(customer=customer, status__in=Case.OPEN_STATUSES)
        .select_related("owner", "queue")
        .order_by("-created_at", "-id")[:20]
    )
