"""Reads of the automation app, scoped: an alert exists for a user only when he sees its
customer; "my alerts" are the ones for him or his teams."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.exceptions import NotFound, ValidationFailed
from panorama.core.pagination import Keyset, Page
from panorama.customers.selectors import scope_filter

from .models import Alert, AlertSeen, EventCheck, Rule


def _live(now: datetime.datetime | None = None) -> Q:
    return Q(expires_at__isnull=True) | Q(expires_at__gt=now or timezone.now())


def alerts_visible_to(user: User) -> QuerySet[Alert]:
    return Alert.objects.filter(scope_filter(user, "customer__"))


def alert_get(*, user: User, alert_id: int) -> Alert:
    alert = alerts_visible_to(user).filter(pk=alert_id).select_related("customer").first()
    if alert is None:
        raise NotFound(
            _("Alert %(id)s does not exist or is not visible to you.") % {"id": alert_id}
        )
    return alert


def _with_seen(qs: QuerySet[Alert], user: User) -> QuerySet[Alert]:
    """Whether ``user`` has seen each alert (``seen_by_me``) and who has, when
    (``seen_list``: one more query for the whole list, whatever its length)."""
    who = Prefetch(
        "seen", AlertSeen.objects.select_related("user").order_by("at", "id"), to_attr="seen_list"
    )
    return qs.annotate(
        seen_by_me=Exists(AlertSeen.objects.filter(alert=OuterRef("pk"), user=user))
    ).prefetch_related(who)


def seen_by(alert: Alert) -> list[AlertSeen]:
    """Who has seen ``alert`` and when, first first (read with the list when it was)."""
    found = getattr(alert, "seen_list", None)
    if found is None:
        found = list(alert.seen.select_related("user").order_by("at", "id"))
    return found


def alerts_for_user(
    user: User, *, now: datetime.datetime | None = None, unseen_only: bool = False
) -> QuerySet[Alert]:
    """The live alerts for ``user`` or one of his teams, about customers he sees, most
    urgent first, with who has seen them (two queries)."""
    mine = Q(user=user) | Q(team__in=user.teams.values("pk"))
    qs = _with_seen(alerts_visible_to(user).filter(mine).filter(_live(now)), user)
    if unseen_only:
        qs = qs.filter(~Exists(AlertSeen.objects.filter(alert=OuterRef("pk"), user=user)))
    return qs.select_related("customer", "rule").order_by("-priority", "-created_at", "-id")


def customer_alerts(*, customer, user: User, limit: int = 20) -> list[Alert]:
    """The live alerts about one customer, with who has seen them (the ficha's panel:
    two queries)."""
    qs = (
        _with_seen(Alert.objects.filter(customer=customer).filter(_live()), user)
        .select_related("user", "team")
        .order_by("-priority", "-created_at", "-id")
    )
    return list(qs[:limit])


def rules_all() -> QuerySet[Rule]:
    return Rule.objects.all()


@dataclass
class RunView:
    """A rule's run as its page lists it: a ``RuleRun`` or a miss from an ``EventCheck``."""

    at: datetime.datetime
    event: str
    customer: Any
    matched: bool
    explanation: list[str]
    actions_done: list[str]
    error: str = ""
    id: int = 0


NEWEST_FIRST = Keyset("-id", types=(int,))  # ids grow with time
RUN_KINDS = ("runs", "misses")
RULE_LOG_PAGE = 20  # rows of the rule's page at a time, runs and misses alike


def rule_runs_page(
    *, user: User | None, rule: Rule, kind: str = "runs", cursor: str = "", limit: int = 50
) -> Page[RunView]:
    """The rule's log as the API pages it (administrators, as the rule's page): its runs
    (``runs``: matched, or stopped with an error, with what was done) or the events it
    saw and did not match since it was last changed (``misses``: why not), newest first,
    keyset-paged: two queries whatever the page's size."""
    ensure_can(user, "automation.edit_rules")
    if kind not in RUN_KINDS:
        raise ValidationFailed(
            _("Unknown kind %(value)s: runs or misses.") % {"value": kind}, field="kind"
        )
    limit = max(1, min(limit, 200))
    if kind == "runs":
        page = NEWEST_FIRST.page(rule.runs.select_related("customer"), cursor=cursor, limit=limit)
        items = [
            RunView(
                r.at, r.event, r.customer, r.matched, r.explanation, r.actions_done, r.error, r.pk
            )
            for r in page.items
        ]
        return Page(items=items, next_cursor=page.next_cursor)
    key = str(rule.pk)
    checks = EventCheck.objects.filter(event=rule.event or "-", at__gte=rule.updated_at).filter(
        misses__has_key=key
    )
    page = NEWEST_FIRST.page(checks, cursor=cursor, limit=limit)
    from panorama.customers.models import Customer

    customers = Customer.objects.in_bulk({c.customer_id for c in page.items if c.customer_id})
    items = [
        RunView(c.at, c.event, customers.get(c.customer_id), False, c.misses[key], [], "", c.pk)
        for c in page.items
    ]
    return Page(items=items, next_cursor=page.next_cursor)
