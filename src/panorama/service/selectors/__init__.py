"""Reads of cases: a case is visible exactly when its customer is (``scope_filter`` on
the customer), so an agent, who sees every customer, sees every case, and a sales rep
sees his own customers' cases."""

import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.accounts.models import Role, User
from panorama.core.exceptions import NotFound, ValidationFailed
from panorama.core.pagination import Keyset, Page
from panorama.customers.selectors import scope_filter

from ..models import Case, CaseAttachment, CaseMessage, Queue, QueueMember


def cases_visible_to(user: User | None) -> QuerySet[Case]:
    live = Case.objects.filter(customer__merged_into__isnull=True)
    return live if user is None else live.filter(scope_filter(user, "customer__"))


def case_get(*, user: User | None, case_id: int, for_update: bool = False) -> Case:
    qs = cases_visible_to(user)
    qs = (
        qs.select_for_update()
        if for_update
        else qs.select_related("customer", "queue", "owner", "asset__product", "survey")
    )
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
    qs = cases_visible_to(user).select_related("customer", "queue", "owner", "survey")
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
    # Every file, the removed ones too: the thread says who removed which and when.
    files = CaseAttachment.objects.select_related("removed_by").order_by("id")
    qs = case.messages.select_related("author", "sent_mail", "interaction").prefetch_related(
        Prefetch("attachments", queryset=files)
    )
    if not include_notes:
        qs = qs.exclude(kind=CaseMessage.Kind.NOTE)
    return list(qs.order_by("created_at", "id"))


def case_files(*, case: Case) -> dict:
    """Every file of a case: the agents' (attached to replies and notes), those removed
    from it, and the customer's (his e-mails' attachments, the case's opening one too).
    Two queries."""
    from panorama.channels.mail.models import MailAttachment

    agents = list(
        CaseAttachment.objects.filter(message__case=case)
        .select_related("message__author", "removed_by")
        .order_by("id")
    )
    return {
        "agents": [a for a in agents if a.removed_at is None],
        # Kept as removed, for whoever may change the case to restore.
        "removed": [a for a in agents if a.removed_at is not None],
        "customer": list(MailAttachment.objects.filter(entry__case=case).order_by("id")),
    }


def case_attachments(*, case: Case) -> list[CaseAttachment]:
    """The files agents attached to the case's replies and notes and nobody removed,
    oldest first, with their message and its author: one query."""
    return list(
        CaseAttachment.objects.filter(message__case=case, removed_at__isnull=True)
        .select_related("message__author")
        .order_by("id")
    )


def case_attachment_get(*, user: User, case_id: int, attachment_id: int) -> CaseAttachment:
    """An agent's file of a case ``user`` sees (else 404), not removed and still in
    storage (a removed file, or a media folder restored without it: 404 naming the
    file, not a server error)."""
    case = case_get(user=user, case_id=case_id)
    attachment = CaseAttachment.objects.filter(pk=attachment_id, message__case=case).first()
    if attachment is None:
        raise NotFound(_("Attachment %(id)s does not exist.") % {"id": attachment_id})
    if attachment.removed_at is not None:
        raise NotFound(
            _("The file %(name)s was removed from the case.") % {"name": attachment.filename}
        )
    if not attachment.file.storage.exists(attachment.file.name):
        raise NotFound(
            _("The file %(name)s is no longer stored: ask an administrator to restore it.")
            % {"name": attachment.filename}
        )
    return attachment


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
        .select_related("owner", "queue", "survey")
        .order_by("-created_at", "-id")[:20]
    )


# --- calls and callbacks (call management) --------------------------------------------------


def _managed_members(user: User) -> QuerySet[User]:
    """The users in the teams ``user`` manages, and their sub-teams (two levels down)."""
    from panorama.accounts.models import Team

    teams = Team.objects.filter(
        Q(managers=user) | Q(parent__managers=user) | Q(parent__parent__managers=user)
    )
    return User.objects.filter(teams__in=teams)


def _customer_scope(user: User) -> Q:
    """Rows without a customer, or whose customer ``user`` sees (``Q() | x`` would be
    ``x`` alone: an unrestricted scope is no filter at all)."""
    scope = scope_filter(user, "customer__")
    return scope if not scope else Q(customer__isnull=True) | scope


def _sees_every_call(user: User) -> bool:
    return user.is_superuser or user.role == Role.ADMIN


def calls_visible_to(user: User | None) -> QuerySet:
    """An agent sees his own calls; a manager his teams' too; an administrator all. A
    call with a customer is visible only while the customer is (``scope_filter``)."""
    from ..models import Call

    qs = Call.objects.all()
    if user is None or _sees_every_call(user):
        return qs
    mine = Q(agent_id=user.pk)
    if user.managed_teams.exists():
        mine |= Q(agent__in=_managed_members(user))
    return qs.filter(mine).filter(_customer_scope(user))


def callbacks_visible_to(user: User | None) -> QuerySet:
    """A callback is his who is assigned it or asked for it; an unassigned one, his
    queues' members'; a manager sees his teams' ones; an administrator all. One with a
    customer is visible only while the customer is."""
    from ..models import CallbackRequest

    qs = CallbackRequest.objects.all()
    if user is None or _sees_every_call(user):
        return qs
    mine = (
        Q(assigned_to_id=user.pk)
        | Q(created_by_id=user.pk)
        | Q(assigned_to__isnull=True, queue__memberships__user_id=user.pk)
    )
    if user.managed_teams.exists():
        mine |= Q(assigned_to__in=_managed_members(user))
    ids = qs.filter(mine).values("pk")
    return qs.filter(pk__in=ids).filter(_customer_scope(user))


def callbacks_due(
    *, user: User, owner: User | None = None, day: datetime.date | None = None, limit: int = 200
) -> list:
    """The open callbacks assigned to ``owner`` (``user`` himself by default) to make on
    ``day`` (today by default), as ``user`` sees them: those whose window starts before
    the day ends, overdue ones included, earliest first. One query; for the agenda."""
    from ..models import CallbackRequest

    day = day or timezone.localdate()
    end = timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
    )
    return list(
        callbacks_visible_to(user)
        .filter(assigned_to=owner or user, status=CallbackRequest.Status.OPEN, window_start__lt=end)
        .select_related("customer")
        .order_by("window_start", "id")[:limit]
    )
