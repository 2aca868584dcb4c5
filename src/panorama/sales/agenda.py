"""Reads of the agenda, scoped: a rep sees his own agenda, a sales manager his own and
his teams' members' (the teams he manages and their sub-teams), an administrator all.
An item outside that scope does not exist for the user (404).

The day's page: the items of one day in time order, and the work it proposes
(opportunities whose next step or expected close date is due, new leads nobody has
contacted, items left overdue)."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.accounts.models import Role, User
from panorama.core.exceptions import NotFound, ValidationFailed
from panorama.core.pagination import Page, TimeKeyset
from panorama.customers.selectors import teams_in_scope

from .models import Activity, Lead, Opportunity

PROPOSED_LIMIT = 20


def sees_every_agenda(user: User) -> bool:
    return user.is_superuser or user.role == Role.ADMIN


def agenda_owners_q(user: User, prefix: str = "") -> Q:
    """The Q that keeps rows whose ``<prefix>owner`` is in ``user``'s agenda scope."""
    if sees_every_agenda(user):
        return Q()
    mine = Q(**{f"{prefix}owner_id": user.pk})
    if user.role == Role.SALES_MANAGER:
        teams = teams_in_scope(user)
        assert teams is not None
        members = User.objects.filter(teams__in=teams.values("pk")).values("pk")
        return mine | Q(**{f"{prefix}owner_id__in": members})
    return mine


def activities_visible_to(user: User) -> QuerySet[Activity]:
    return Activity.objects.filter(agenda_owners_q(user))


def agenda_users(user: User) -> QuerySet[User]:
    """Whose agendas ``user`` may open (himself first in the page's menu)."""
    qs = User.objects.filter(is_active=True)
    if sees_every_agenda(user):
        return qs.order_by("first_name", "last_name", "username")
    if user.role == Role.SALES_MANAGER:
        teams = teams_in_scope(user)
        assert teams is not None
        qs = qs.filter(Q(pk=user.pk) | Q(pk__in=User.objects.filter(teams__in=teams.values("pk"))))
        return qs.distinct().order_by("first_name", "last_name", "username")
    return qs.filter(pk=user.pk)


def agenda_user_get(*, user: User, user_id: int | None) -> User:
    """``user_id``'s agenda if ``user`` may open it (404 otherwise); None: his own."""
    if user_id is None or user_id == user.pk:
        return user
    other = agenda_users(user).filter(pk=user_id).first()
    if other is None:
        raise NotFound(_("There is no agenda %(id)s you may open.") % {"id": user_id})
    return other


_RELATED = ("owner", "customer", "lead", "opportunity", "opportunity__stage", "quote")


def activity_get(*, user: User | None, activity_id: int, for_update: bool = False) -> Activity:
    qs = Activity.objects.all() if user is None else activities_visible_to(user)
    qs = qs.select_for_update(of=("self",)) if for_update else qs
    activity = qs.select_related(*_RELATED).filter(pk=activity_id).first()
    if activity is None:
        raise NotFound(
            _("Agenda item %(id)s does not exist or is not visible to you.") % {"id": activity_id}
        )
    return activity


def activities_about_quote(*, user: User, quote, limit: int = 20) -> list[Activity]:
    """The agenda items about one quote that ``user`` may see (the quote's page; one
    query)."""
    return list(
        activities_visible_to(user)
        .filter(quote=quote)
        .select_related("owner")
        .order_by("-starts_at", "-id")[:limit]
    )


def _day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
    return start, start + datetime.timedelta(days=1)


def activities_between(
    *, user: User, owner: User, start: datetime.datetime, end: datetime.datetime
) -> list[Activity]:
    """``owner``'s items between two instants, in time order (one query)."""
    return list(
        activities_visible_to(user)
        .filter(owner=owner, starts_at__gte=start, starts_at__lt=end)
        .select_related(*_RELATED)
        .order_by("starts_at", "id")[:500]
    )


@dataclass
class ProposedItem:
    """Work another app proposes for the day (a callback to make, a work order...)."""

    label: str
    url: str
    detail: str = ""
    icon: str = "dot"
    late: bool = False


# Other apps add what their users must also do on a day: ``fn(user, owner, day)`` returns
# items (bounded, one or two queries). ``service`` adds the callbacks due.
PROPOSAL_SOURCES: list[Callable[[User, User, datetime.date], list[ProposedItem]]] = []


def proposals_register(source: Callable[[User, User, datetime.date], list[ProposedItem]]) -> None:
    if source not in PROPOSAL_SOURCES:
        PROPOSAL_SOURCES.append(source)


@dataclass
class Proposed:
    opportunities: list[Opportunity] = field(default_factory=list)
    leads: list[Lead] = field(default_factory=list)
    overdue: list[Activity] = field(default_factory=list)
    others: list[ProposedItem] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.opportunities or self.leads or self.overdue or self.others)


@dataclass
class Day:
    owner: User
    day: datetime.date
    activities: list[Activity]
    proposed: Proposed

    @property
    def previous(self) -> datetime.date:
        return self.day - datetime.timedelta(days=1)

    @property
    def next(self) -> datetime.date:
        return self.day + datetime.timedelta(days=1)


def proposed_work(*, user: User, owner: User, day: datetime.date) -> Proposed:
    """What ``owner`` should also do on ``day`` (three queries, each bounded):
    his open opportunities whose next step date or expected close date is on or before
    that day, his new leads nobody has contacted yet, his items still planned from before that
    day (and before now, for a day ahead)."""
    from .selectors import leads_visible_to, opportunities_visible_to

    start, _end = _day_bounds(day)
    now = timezone.now()
    opportunities = list(
        opportunities_visible_to(user)
        .filter(owner=owner, status=Opportunity.Status.OPEN)
        .filter(Q(next_step_date__lte=day) | Q(expected_close__lte=day))
        .select_related("customer", "stage")
        .order_by("next_step_date", "expected_close", "id")[:PROPOSED_LIMIT]
    )
    leads = list(
        leads_visible_to(user)
        .filter(owner=owner, status=Lead.Status.NEW)
        .exclude(activities__kind__in=["call", "meeting", "email_reply"])
        .order_by("-score", "created_at", "id")[:PROPOSED_LIMIT]
    )
    overdue = list(
        activities_visible_to(user)
        .filter(owner=owner, status=Activity.Status.PLANNED, starts_at__lt=min(start, now))
        .select_related(*_RELATED)
        .order_by("starts_at", "id")[:PROPOSED_LIMIT]
    )
    others = [item for source in PROPOSAL_SOURCES for item in source(user, owner, day)]
    return Proposed(opportunities=opportunities, leads=leads, overdue=overdue, others=others)


def agenda_day(*, user: User, owner: User, day: datetime.date) -> Day:
    """One day of ``owner``'s agenda as ``user`` sees it: four queries."""
    start, end = _day_bounds(day)
    return Day(
        owner=owner,
        day=day,
        activities=activities_between(user=user, owner=owner, start=start, end=end),
        proposed=proposed_work(user=user, owner=owner, day=day),
    )


def week_of(day: datetime.date) -> list[datetime.date]:
    monday = day - datetime.timedelta(days=day.weekday())
    return [monday + datetime.timedelta(days=n) for n in range(7)]


def agenda_week(*, user: User, owner: User, day: datetime.date) -> list[tuple]:
    """The week (Monday to Sunday) around ``day``: [(date, [items])], one query."""
    days = week_of(day)
    start, _e = _day_bounds(days[0])
    _s, end = _day_bounds(days[-1])
    items = activities_between(user=user, owner=owner, start=start, end=end)
    tz = timezone.get_current_timezone()
    return [(d, [a for a in items if a.starts_at.astimezone(tz).date() == d]) for d in days]


BY_TIME = TimeKeyset("starts_at", "id", types=(str, int))
LATEST_FIRST = TimeKeyset("-starts_at", "-id", types=(str, int))


def activity_list(
    *,
    user: User,
    owner_id: int | None = None,
    customer_id: int | None = None,
    opportunity_id: int | None = None,
    status: str = "",
    kind: str = "",
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
    cursor: str = "",
    limit: int = 50,
) -> Page:
    """A page of the items ``user`` sees, in time order (keyset, no count)."""
    qs = activities_visible_to(user).select_related(*_RELATED)
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    if opportunity_id is not None:
        qs = qs.filter(opportunity_id=opportunity_id)
    if status:
        if status not in Activity.Status.values:
            raise ValidationFailed(_("Unknown status %(s)s.") % {"s": status}, field="status")
        qs = qs.filter(status=status)
    if kind:
        if kind not in Activity.Kind.values:
            raise ValidationFailed(_("Unknown kind %(k)s.") % {"k": kind}, field="kind")
        qs = qs.filter(kind=kind)
    if start is not None:
        qs = qs.filter(starts_at__gte=start)
    if end is not None:
        qs = qs.filter(starts_at__lt=end)
    return BY_TIME.page(qs, cursor=cursor, limit=max(1, min(limit, 200)))


FEED_PAST_DAYS, FEED_FUTURE_DAYS, FEED_MAX = 30, 180, 2000


def feed_activities(*, owner: User) -> list[Activity]:
    """What ``owner``'s calendar feed holds: his items from a month ago to six months
    ahead (one query, at most ``FEED_MAX``)."""
    now = timezone.now()
    return list(
        Activity.objects.filter(
            owner=owner,
            starts_at__gte=now - datetime.timedelta(days=FEED_PAST_DAYS),
            starts_at__lt=now + datetime.timedelta(days=FEED_FUTURE_DAYS),
        )
        .select_related("customer", "opportunity")
        .order_by("starts_at", "id")[:FEED_MAX]
    )
