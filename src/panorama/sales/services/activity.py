"""Planning, changing, logging and cancelling agenda items; the reminders' e-mail; the
private calendar feed's token."""

import datetime
import logging
import secrets
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.channels.models import Interaction
from panorama.channels.services import interaction_record, related_resolve
from panorama.core.events import emit
from panorama.core.exceptions import NotFound, ValidationFailed
from panorama.core.validation import rules_for
from panorama.customers.selectors import customer_get

from ..agenda import activity_get
from ..models import Activity, CalendarFeed
from ..selectors import lead_get, opportunity_get
from ..selectors.quotes import quote_get

logger = logging.getLogger(__name__)

# The timeline's channel and direction for each kind of item.
CHANNELS = {
    Activity.Kind.CALL: (Interaction.Channel.PHONE, Interaction.Direction.OUTBOUND),
    Activity.Kind.VISIT: (Interaction.Channel.IN_PERSON, Interaction.Direction.OUTBOUND),
    Activity.Kind.MEETING: (Interaction.Channel.IN_PERSON, Interaction.Direction.OUTBOUND),
    Activity.Kind.TASK: (Interaction.Channel.NOTE, Interaction.Direction.INTERNAL),
}


def _owner(owner: User | int | None, by: User | None) -> User:
    if owner is None:
        if by is None:
            raise ValidationFailed(_("Say whose agenda it goes on."), field="owner_id")
        return by
    if isinstance(owner, User):
        return owner
    if isinstance(owner, bool) or not isinstance(owner, int) or not 0 < owner < 2**63:
        raise ValidationFailed(_("Say whose agenda it goes on."), field="owner_id")
    found = User.objects.filter(pk=owner, is_active=True).first()
    if found is None:
        raise ValidationFailed(
            _("User %(id)s does not exist or is not active.") % {"id": owner}, field="owner_id"
        )
    return found


def _visible(getter, field: str, **kwargs):
    """A related record the planner sees, else a validation error on its field."""
    try:
        return getter(**kwargs)
    except NotFound as missing:
        raise ValidationFailed(missing.message, field=field) from None


def _check_id(value: Any, field: str) -> None:
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63
    ):
        raise ValidationFailed(_("%(f)s is not a valid id.") % {"f": field}, field=field)


def _link(
    activity: Activity,
    *,
    by: User | None,
    customer_id: int | None,
    lead_id: int | None,
    opportunity_id: int | None,
    quote_id: int | None = None,
    related_type: str = "",
    related_id: str = "",
) -> None:
    """Point the item at its customer, lead, opportunity, quote and other record, each
    visible to ``by`` and all of the same customer."""
    for value, name in (
        (customer_id, "customer_id"),
        (lead_id, "lead_id"),
        (opportunity_id, "opportunity_id"),
        (quote_id, "quote_id"),
    ):
        _check_id(value, name)
    customer = None
    if customer_id is not None:
        customer = _visible(customer_get, "customer_id", user=by, customer_id=customer_id)
    activity.opportunity = None
    if opportunity_id is not None:
        opportunity = _visible(
            opportunity_get, "opportunity_id", user=by, opportunity_id=opportunity_id
        )
        if customer is not None and opportunity.customer_id != customer.pk:
            raise ValidationFailed(
                _("The opportunity is not one of this customer's."), field="opportunity_id"
            )
        activity.opportunity = opportunity
        customer_id = opportunity.customer_id
    activity.quote = None
    if quote_id is not None:
        # A quote the planner sees (its own scope, like the quotes list), of a
        # customer he sees, and the same customer as the item's.
        quote = _visible(quote_get, "quote_id", user=by, quote_id=quote_id)
        if customer_id is not None and quote.customer_id != customer_id:
            raise ValidationFailed(_("The quote is not one of this customer's."), field="quote_id")
        if by is not None:
            _visible(customer_get, "quote_id", user=by, customer_id=quote.customer_id)
        activity.quote = quote
        customer_id = quote.customer_id
    activity.lead = None
    if lead_id is not None:
        lead = _visible(lead_get, "lead_id", user=by, lead_id=lead_id)
        if customer_id is not None and lead.customer_id not in (None, customer_id):
            raise ValidationFailed(_("The lead is not one of this customer's."), field="lead_id")
        activity.lead = lead
        customer_id = customer_id or lead.customer_id
    activity.customer_id = customer_id
    activity.related_type, activity.related_id = None, ""
    if related_type or related_id:
        if customer_id is None:
            raise ValidationFailed(
                _("Only an item about a customer can point to one of his records."),
                field="related",
            )
        record = related_resolve(
            type_label=related_type, object_id=str(related_id), customer_id=customer_id
        )
        from django.contrib.contenttypes.models import ContentType

        activity.related_type = ContentType.objects.get_for_model(record)
        activity.related_id = str(record.pk)


def _validate(activity: Activity) -> None:
    activity.subject = (activity.subject or "").strip()
    activity.notes = (activity.notes or "").strip()
    if not activity.subject:
        raise ValidationFailed(_("An agenda item needs a subject."), field="subject")
    if activity.kind not in Activity.Kind.values:
        raise ValidationFailed(_("Unknown kind %(k)s.") % {"k": activity.kind}, field="kind")
    if not isinstance(activity.starts_at, datetime.datetime):
        raise ValidationFailed(_("An agenda item needs a date and time."), field="starts_at")
    if timezone.is_naive(activity.starts_at):
        activity.starts_at = timezone.make_aware(activity.starts_at)
    if not 1900 <= activity.starts_at.year <= 9000:
        raise ValidationFailed(_("That date is out of range."), field="starts_at")
    if activity.duration_minutes is None or not 0 <= activity.duration_minutes <= 24 * 60:
        raise ValidationFailed(
            _("A duration is between 0 and 1,440 minutes."), field="duration_minutes"
        )
    reminder = activity.reminder_minutes
    if reminder is not None and not 0 <= reminder <= 7 * 24 * 60:
        raise ValidationFailed(
            _("A reminder is between 0 minutes and 7 days before."), field="reminder_minutes"
        )
    rules_for(Activity).check(activity)
    activity.remind_at = (
        activity.starts_at - datetime.timedelta(minutes=reminder) if reminder is not None else None
    )


@transaction.atomic
def activity_plan(
    *,
    by: User | None,
    kind: str,
    subject: str,
    starts_at: datetime.datetime,
    owner: User | int | None = None,
    duration_minutes: int = 30,
    reminder_minutes: int | None = None,
    notes: str = "",
    customer_id: int | None = None,
    lead_id: int | None = None,
    opportunity_id: int | None = None,
    quote_id: int | None = None,
    related_type: str = "",
    related_id: str = "",
) -> Activity:
    """Put a call, visit, meeting or task on ``owner``'s agenda (default: the user's).
    A rep plans on his own agenda, a manager also on his teams' members', an
    administrator on anyone's (``sales.plan``); the customer, lead and opportunity must
    be ones the planner sees, all of the same customer."""
    owner_user = _owner(owner, by)
    ensure_can(by, "sales.plan", obj=owner_user)
    activity = Activity(
        kind=kind,
        subject=subject,
        notes=notes or "",
        owner=owner_user,
        created_by=by,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        reminder_minutes=reminder_minutes,
    )
    _validate(activity)
    _link(
        activity,
        by=by,
        customer_id=customer_id,
        lead_id=lead_id,
        opportunity_id=opportunity_id,
        quote_id=quote_id,
        related_type=related_type,
        related_id=related_id,
    )
    activity.save()
    emit(
        "activity.planned",
        activity_id=activity.pk,
        kind=activity.kind,
        owner_id=owner_user.pk,
        customer_id=activity.customer_id,
        by=by.pk if by else None,
    )
    return activity


UPDATABLE = {
    "kind",
    "subject",
    "notes",
    "starts_at",
    "duration_minutes",
    "reminder_minutes",
    "owner_id",
    "customer_id",
    "lead_id",
    "opportunity_id",
    "quote_id",
}
_LINKS = ("customer_id", "lead_id", "opportunity_id", "quote_id")


def _planned(activity: Activity) -> None:
    if activity.status != Activity.Status.PLANNED:
        raise ValidationFailed(
            _("This item is already %(status)s.") % {"status": activity.get_status_display()},
            field="status",
        )


@transaction.atomic
def activity_update(*, by: User | None, activity_id: int, changes: dict[str, Any]) -> Activity:
    """Change a planned item (``changes``: field → value among ``UPDATABLE``). A new
    time or reminder sends the reminder again; a new owner must be one the user may
    plan for."""
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed: %(f)s.") % {"f": ", ".join(sorted(unknown))},
            field=sorted(unknown)[0],
        )
    activity = activity_get(user=by, activity_id=activity_id, for_update=True)
    ensure_can(by, "sales.plan", obj=activity.owner)
    _planned(activity)
    before = {f: getattr(activity, f) for f in UPDATABLE}
    if "owner_id" in changes:
        activity.owner = _owner(changes["owner_id"], by)
        ensure_can(by, "sales.plan", obj=activity.owner)
    for name in ("kind", "subject", "notes", "starts_at", "duration_minutes", "reminder_minutes"):
        if name in changes:
            setattr(activity, name, changes[name])
    _validate(activity)
    if set(_LINKS) & set(changes):
        links = {name: changes.get(name, getattr(activity, name)) for name in _LINKS}
        _link(activity, by=by, **links)
    changed = [f for f in sorted(UPDATABLE) if getattr(activity, f) != before[f]]
    if {"starts_at", "reminder_minutes"} & set(changed):
        activity.reminder_sent_at = None
    activity.save()
    if changed:
        emit("activity.updated", activity_id=activity.pk, fields=changed, by=by.pk if by else None)
    return activity


def _timeline(activity: Activity, *, by: User | None, occurred_at) -> Interaction | None:
    if activity.customer_id is None:
        return None
    channel, direction = CHANNELS[Activity.Kind(activity.kind)]
    related: Any = activity.opportunity or activity.quote
    if related is None and activity.related_type_id:
        model = activity.related_type.model_class() if activity.related_type else None
        if model is not None:
            related = model._default_manager.filter(
                pk=activity.related_id, customer_id=activity.customer_id
            ).first()
    # Recorded by the system on the user's behalf, as opportunities do: the item may be
    # about a customer of his team that he does not own.
    return interaction_record(
        customer_id=activity.customer_id,
        by=None,
        agent=by or activity.owner,
        channel=channel,
        direction=direction,
        subject=f"{activity.get_kind_display()}: {activity.subject}"[:200],
        # The outcome is free text, longer than the timeline's short outcome code.
        body="\n\n".join(part for part in (activity.outcome, activity.notes) if part),
        occurred_at=occurred_at,
        duration_seconds=activity.duration_minutes * 60 if activity.kind != "task" else None,
        related=related,
        metadata={"kind": "activity", "activity_id": activity.pk, "activity_kind": activity.kind},
    )


@transaction.atomic
def activity_complete(*, by: User | None, activity_id: int, outcome: str = "") -> Activity:
    """Mark a planned item done with its outcome; a call, visit or meeting about a
    customer goes to his timeline (phone for a call, in person for a visit or meeting)."""
    activity = activity_get(user=by, activity_id=activity_id, for_update=True)
    ensure_can(by, "sales.plan", obj=activity.owner)
    _planned(activity)
    activity.outcome = (outcome or "").strip()
    if activity.kind != Activity.Kind.TASK and not activity.outcome:
        raise ValidationFailed(_("Say how it went: the outcome is required."), field="outcome")
    rules_for(Activity).check(activity)
    now = timezone.now()
    activity.status = Activity.Status.DONE
    activity.completed_at = now
    interaction = _timeline(activity, by=by, occurred_at=min(activity.starts_at, now))
    activity.interaction = interaction
    activity.save()
    emit(
        "activity.completed",
        activity_id=activity.pk,
        customer_id=activity.customer_id,
        interaction_id=interaction.pk if interaction else None,
        by=by.pk if by else None,
    )
    return activity


@transaction.atomic
def activity_cancel(*, by: User | None, activity_id: int, reason: str = "") -> Activity:
    activity = activity_get(user=by, activity_id=activity_id, for_update=True)
    ensure_can(by, "sales.plan", obj=activity.owner)
    _planned(activity)
    activity.status = Activity.Status.CANCELLED
    activity.outcome = (reason or "").strip()
    activity.completed_at = timezone.now()
    activity.save()
    emit("activity.cancelled", activity_id=activity.pk, by=by.pk if by else None)
    return activity


# --- reminders ---------------------------------------------------------------------------

# A reminder for something that started longer ago than this is not sent any more.
STALE_AFTER = datetime.timedelta(minutes=15)


def reminders_send(now: datetime.datetime | None = None) -> int:
    """E-mail every due reminder once (each is claimed before it is sent, so two workers
    never send the same one); returns how many were sent."""
    now = now or timezone.now()
    due = list(
        Activity.objects.filter(
            status=Activity.Status.PLANNED,
            remind_at__lte=now,
            reminder_sent_at__isnull=True,
            starts_at__gte=now - STALE_AFTER,
        ).values_list("pk", flat=True)[:500]
    )
    if not due:
        return 0
    claimed = Activity.objects.filter(pk__in=due, reminder_sent_at__isnull=True).update(
        reminder_sent_at=now
    )
    if not claimed:
        return 0
    sent = 0
    rows = Activity.objects.filter(pk__in=due, reminder_sent_at=now).select_related(
        "owner", "customer"
    )
    for activity in rows:
        if not activity.owner.email:
            continue
        try:
            _remind(activity)
            sent += 1
        except OSError:
            logger.exception("reminder of activity %s not sent", activity.pk)
            Activity.objects.filter(pk=activity.pk).update(reminder_sent_at=None)
    return sent


def _remind(activity: Activity) -> None:
    from django.template.defaultfilters import date as date_filter

    with translation.override(activity.owner.language or settings.LANGUAGE_CODE):
        with timezone.override(timezone.get_current_timezone()):
            when = date_filter(timezone.localtime(activity.starts_at), "DATETIME_FORMAT")
        lines = [
            f"{activity.get_kind_display()}: {activity.subject}",
            _("When: %(when)s (%(minutes)s minutes)")
            % {"when": when, "minutes": activity.duration_minutes},
        ]
        if activity.customer is not None:
            lines.append(_("Customer: %(name)s") % {"name": activity.customer.display_name})
        if activity.notes:
            lines += ["", activity.notes]
        send_mail(
            subject=_("[Panorama] Reminder: %(subject)s") % {"subject": activity.subject},
            message="\n".join(lines),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[activity.owner.email],
        )


# --- the calendar feed --------------------------------------------------------------------


@transaction.atomic
def calendar_feed_issue(*, by: User) -> str:
    """A new private feed address token for ``by`` (the previous one stops working);
    the clear token is returned once, only its hash is kept."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.filter(user=by).delete()
    CalendarFeed.objects.create(
        user=by, token_hash=CalendarFeed.hash_token(token), prefix=token[:8]
    )
    return token


@transaction.atomic
def calendar_feed_revoke(*, by: User) -> bool:
    """Revoke ``by``'s feed; whether there was one."""
    deleted, _rows = CalendarFeed.objects.filter(user=by).delete()
    return bool(deleted)


def calendar_feed_owner(*, token: str) -> User:
    """The user whose feed ``token`` opens (404 for an unknown, revoked or malformed
    token, or an inactive user)."""
    token = (token or "").strip()
    feed = None
    if 20 <= len(token) <= 100:
        feed = (
            CalendarFeed.objects.select_related("user")
            .filter(token_hash=CalendarFeed.hash_token(token), user__is_active=True)
            .first()
        )
    if feed is None:
        raise NotFound(_("This calendar address does not exist or was revoked."))
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    return feed.user
