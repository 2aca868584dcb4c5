"""Raising alerts, marking them seen, and the morning digest e-mail."""

import datetime
import logging
from collections.abc import Sequence
from typing import NamedTuple

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from panorama.accounts.models import Team, User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import ValidationFailed
from panorama.customers.selectors import customer_get, customers_visible_to

from ..models import Alert, AlertSeen, DigestSent, Rule
from ..selectors import alert_get, alerts_for_user

logger = logging.getLogger(__name__)


@transaction.atomic
def alert_raise(
    *,
    by: User | None,
    customer_id: int,
    title: str,
    user_id: int | None = None,
    team_id: int | None = None,
    body: str = "",
    priority: int = Alert.Priority.NORMAL,
    expires_at: datetime.datetime | None = None,
    rule: Rule | None = None,
    source: str = "",
    by_hand: bool = False,
) -> Alert:
    """Raise an alert about a customer ``by`` sees, for a user or a team. A ``source``
    already used returns its alert: raising twice from one event is one alert.

    ``by_hand``: a person raises it from the ficha or the API: he needs the right to
    (``automation.raise_alerts``), it is for him unless he names a colleague or a team,
    a colleague must see the customer, and it lands on the customer's timeline."""
    if by_hand:
        ensure_can(by, "automation.raise_alerts")
        if user_id is None and team_id is None and by is not None:
            user_id = by.pk
    if source:
        existing = Alert.objects.filter(source=source).first()
        if existing is not None:
            return existing
    customer = customer_get(user=by, customer_id=customer_id)
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(_("An alert needs a title."), field="title")
    if priority not in Alert.Priority.values:
        raise ValidationFailed(_("Unknown priority %(p)s.") % {"p": priority}, field="priority")
    if user_id is None and team_id is None:
        raise ValidationFailed(_("Say whom the alert is for."), field="user_id")
    if user_id is not None and not User.objects.filter(pk=user_id, is_active=True).exists():
        raise ValidationFailed(_("Unknown user %(u)s.") % {"u": user_id}, field="user_id")
    if team_id is not None and not Team.objects.filter(pk=team_id).exists():
        raise ValidationFailed(_("Unknown team %(t)s.") % {"t": team_id}, field="team_id")
    if by_hand and user_id is not None:
        assignee = User.objects.get(pk=user_id)
        if not customers_visible_to(assignee).filter(pk=customer.pk).exists():
            raise ValidationFailed(
                _("%(name)s cannot see this customer: choose someone who can.")
                % {"name": assignee.get_full_name() or assignee.username},
                field="user_id",
            )
    alert = Alert(
        customer=customer,
        user_id=user_id,
        team_id=team_id,
        title=title[:200],
        body=(body or "").strip(),
        priority=priority,
        expires_at=expires_at,
        rule=rule,
        source=source,
    )
    try:
        with transaction.atomic():
            alert.save()
    except IntegrityError:  # the same source raced us: its alert stands
        return Alert.objects.get(source=source)
    emit(
        "alert.raised",
        alert_id=alert.pk,
        customer_id=customer.pk,
        user_id=user_id,
        team_id=team_id,
        priority=int(priority),
        rule_id=rule.pk if rule else None,
    )
    if by_hand:
        _on_timeline(alert, by)
    return alert


def _on_timeline(alert: Alert, by: User | None) -> None:
    """The hand-raised alert as an internal note on the customer's timeline."""
    from panorama.channels.models import Interaction
    from panorama.channels.services import interaction_record

    if alert.user is not None:
        whom = alert.user.get_full_name() or alert.user.username
    else:
        whom = alert.team.name if alert.team is not None else ""
    interaction_record(
        customer_id=alert.customer_id,
        by=by,
        channel=Interaction.Channel.NOTE,
        direction=Interaction.Direction.OUTBOUND,
        subject=_("Alert for %(whom)s: %(title)s") % {"whom": whom, "title": alert.title},
        body=alert.body,
        agent=by,
        related=alert,
    )


class NewAlert(NamedTuple):
    """An alert a system sweep raises for a user (``alerts_raise_for_users``)."""

    customer_id: int
    user_id: int
    title: str
    body: str
    priority: int
    source: str


# Sources looked up at once (``alerts_raise_for_users``): under SQLite's variable limit.
SOURCES_AT_ONCE = 5000
ALERTS_PER_EVENT = 1000  # alerts per ``automation.alerts_raised``


def _sources_used(sources: list[str]) -> set[str]:
    """Which of ``sources`` an alert already has: one plain ``IN`` query per
    ``SOURCES_AT_ONCE``, the strings passed as they are (the ORM's ``source__in``
    prepared each value one by one: a quarter of the SLA sweep's 30,000 warnings)."""
    used: set[str] = set()
    quote = connection.ops.quote_name
    for start in range(0, len(sources), SOURCES_AT_ONCE):
        chunk = sources[start : start + SOURCES_AT_ONCE]
        marks = ", ".join(["%s"] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote('source')} FROM {quote(Alert._meta.db_table)} "  # noqa: S608
                f"WHERE {quote('source')} IN ({marks})",  # our own names, values bound
                chunk,
            )
            used.update(source for (source,) in cursor.fetchall())
    return used


def alerts_raise_for_users(alerts: Sequence[NewAlert]) -> list[int]:
    """Raise many alerts at once from a system sweep (no ``by``: the system sees every
    customer), each for an active user, with a title of at most 200 characters and a
    ``source``; a source already used is raised once. A constant number of queries per
    5,000 alerts: the sources used, one INSERT of plain rows (no model instances: they
    were most of the SLA sweep's warnings), and one ``automation.alerts_raised`` event
    per thousand (a batch of ``alert.raised``: the rules on it run once per alert).
    Returns the new alerts' ids, in the order given."""
    from panorama.core.bulk import model_attnames, rows_insert
    from panorama.core.events import emit_many

    used = _sources_used([a.source for a in alerts])
    fresh: dict[str, NewAlert] = {}
    for alert in alerts:
        if alert.source in used or alert.source in fresh:
            continue
        if not alert.title or len(alert.title) > 200 or alert.user_id is None:
            raise ValueError(f"an alert needs a title (≤ 200) and a user: {alert.source!r}")
        fresh[alert.source] = alert
    new = list(fresh.values())
    if not new:
        return []
    names = model_attnames(Alert)
    at = [names.index(n) for n in ("customer_id", "user_id", "title", "body", "priority", "source")]
    width = len(names)
    rows = []
    for alert in new:
        row: list = [None] * width
        for i, value in zip(at, alert, strict=True):
            row[i] = value
        rows.append(row)
    ids = rows_insert(Alert, rows)
    raised = [
        {
            "alert_id": pk,
            "customer_id": a.customer_id,
            "user_id": a.user_id,
            "team_id": None,
            "priority": int(a.priority),
        }
        for pk, a in zip(ids, new, strict=True)
    ]
    emit_many(
        "automation.alerts_raised",
        [
            {"rule_id": None, "alerts": raised[start : start + ALERTS_PER_EVENT]}
            for start in range(0, len(raised), ALERTS_PER_EVENT)
        ],
    )
    return ids


@transaction.atomic
def alert_mark_seen(*, by: User, alert_id: int) -> Alert:
    """``by`` has seen the alert (it leaves his "My alerts"; others still see it)."""
    alert = alert_get(user=by, alert_id=alert_id)
    AlertSeen.objects.get_or_create(alert=alert, user=by)
    return alert


def _digest_body(user: User, alerts: list[Alert]) -> str:
    lines = [_("Good morning %(name)s, these alerts wait for you:") % {"name": user.first_name}]
    lines.append("")
    for alert in alerts:
        lines.append(
            f"- [{alert.get_priority_display()}] {alert.customer.display_name}: {alert.title}"
        )
    base = getattr(settings, "PANORAMA_BASE_URL", "").rstrip("/")
    if base:
        lines += ["", _("Open them: %(url)s") % {"url": f"{base}/automation/"}]
    return "\n".join(lines)


def digest_send(now: datetime.datetime | None = None) -> int:
    """Once a day, from ``PANORAMA_ALERT_DIGEST_HOUR`` (8), e-mail every user with an
    e-mail address the alerts he has not seen; returns how many e-mails went."""
    now = timezone.localtime(now or timezone.now())
    if now.hour < getattr(settings, "PANORAMA_ALERT_DIGEST_HOUR", 8):
        return 0
    day = now.date()
    users = (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .exclude(pk__in=DigestSent.objects.filter(day=day).values("user_id"))
        .filter(pk__in=Alert.objects.values("user_id"))
        | User.objects.filter(is_active=True, teams__alerts__isnull=False)
        .exclude(email="")
        .exclude(pk__in=DigestSent.objects.filter(day=day).values("user_id"))
    ).distinct()
    sent = 0
    for user in users:
        alerts = list(alerts_for_user(user, now=now, unseen_only=True)[:50])
        try:
            DigestSent.objects.create(user=user, day=day)  # claimed before sending: once
        except IntegrityError:
            continue
        if not alerts:
            continue
        with translation.override(user.language or settings.LANGUAGE_CODE):
            try:
                send_mail(
                    subject=_("[Panorama] %(n)s alerts for today") % {"n": len(alerts)},
                    message=_digest_body(user, alerts),
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    recipient_list=[user.email],
                )
                sent += 1
            except OSError:
                logger.exception("digest for user %s not sent", user.pk)
                DigestSent.objects.filter(user=user, day=day).delete()
    return sent
