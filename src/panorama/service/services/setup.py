"""The service set-up a manager keeps: queues with their members and skills, and the
writes of calendars and SLA policies by their ids (the settings page and the API call
these; ``services/sla.py`` holds the rules of calendars and policies).

Every write here checks ``service.configure`` first, validates everything before it
writes anything, and answers a ``ValidationFailed`` naming the field at fault."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import NotFound, ValidationFailed
from panorama.core.validation import rules_for
from panorama.marketing.selectors import segment_visible_get

from ..models import BusinessCalendar, Case, Queue, QueueMember, SlaPolicy
from . import sla

SKILL_LENGTH = Case._meta.get_field("skill").max_length or 40


@dataclass(frozen=True)
class Member:
    """A queue member as a manager sets it: who, his skills, whether he takes cases."""

    user_id: int
    skills: tuple[str, ...] = ()
    active: bool = True


def _email(value: str, field: str) -> str:
    value = (value or "").strip()
    if value:
        try:
            validate_email(value)
        except DjangoValidationError:
            raise ValidationFailed(
                _("%(value)s is not a valid e-mail address.") % {"value": value}, field=field
            ) from None
    return value


def clean_members(members: list[Member]) -> list[Member]:
    """Members checked: active users, each once, skills short codes (lower case, no
    repeats). One query."""
    seen: set[int] = set()
    for member in members:
        if member.user_id in seen:
            raise ValidationFailed(
                _("User %(id)s is listed twice as a member.") % {"id": member.user_id},
                field="members",
            )
        seen.add(member.user_id)
    users = dict(User.objects.filter(pk__in=seen, is_active=True).values_list("pk", "username"))
    cleaned = []
    for member in members:
        if member.user_id not in users:
            raise ValidationFailed(
                _("User %(id)s does not exist or is not active.") % {"id": member.user_id},
                field="members",
            )
        skills: list[str] = []
        for raw in member.skills:
            skill = str(raw).strip().lower()
            if not skill or skill in skills:
                continue
            if len(skill) > SKILL_LENGTH:
                raise ValidationFailed(
                    _("The skill %(skill)s of %(user)s is longer than %(n)s characters.")
                    % {"skill": skill, "user": users[member.user_id], "n": SKILL_LENGTH},
                    field="members",
                )
            skills.append(skill)
        cleaned.append(Member(member.user_id, tuple(skills), member.active))
    return cleaned


@transaction.atomic
def queue_save(
    *,
    by: User | None,
    queue: Queue | None = None,
    changes: dict[str, Any],
    members: list[Member] | None = None,
) -> Queue:
    """Create a queue (``queue`` None) or change one: ``changes`` among name,
    description, email and active; ``members`` (when given) replaces the membership
    list, keeping each kept member's row (his skills and "taking cases" as given). A
    queue is deactivated, never deleted (cases keep their queue); an inactive queue
    gets no new cases. Emits ``service.queue_saved``."""
    ensure_can(by, "service.configure")
    unknown = sorted(set(changes) - {"name", "description", "email", "active"})
    if unknown:
        raise ValidationFailed(
            _("These details of a queue cannot be changed: %(names)s.")
            % {"names": ", ".join(unknown)},
            field=unknown[0],
        )
    queue = queue or Queue()
    for name, value in changes.items():
        setattr(queue, name, value.strip() if isinstance(value, str) else value)
    if not queue.name:
        raise ValidationFailed(_("A queue needs a name."), field="name")
    queue.email = _email(queue.email, "email")
    rules_for(Queue).check(queue)
    if Queue.objects.filter(name__iexact=queue.name).exclude(pk=queue.pk).exists():
        raise ValidationFailed(
            _("A queue named %(name)s exists.") % {"name": queue.name}, field="name"
        )
    wanted = clean_members(members) if members is not None else None
    queue.save()
    if wanted is not None:
        QueueMember.objects.filter(queue=queue).exclude(
            user_id__in=[m.user_id for m in wanted]
        ).delete()
        current = {m.user_id: m for m in QueueMember.objects.filter(queue=queue)}
        for member in wanted:
            row = current.get(member.user_id) or QueueMember(queue=queue, user_id=member.user_id)
            if (
                row.pk
                and list(row.skills or []) == list(member.skills)
                and row.active == (member.active)
            ):
                continue
            row.skills, row.active = list(member.skills), member.active
            row.save()
    emit("service.queue_saved", queue_id=queue.pk, by=by.pk if by else None)
    return queue


# --- calendars and policies by their ids ---------------------------------------------------

CALENDAR_FIELDS = ("name", "time_zone", "country", "subdivision", "hours")


def calendar_update(
    *,
    by: User | None,
    calendar: BusinessCalendar,
    changes: dict[str, Any],
    extra_holidays: list | None = None,
) -> BusinessCalendar:
    """Change some settings of a calendar (the others kept); ``extra_holidays`` (when
    given) replaces its company holidays. Through ``sla.calendar_save``: the same rules."""
    unknown = sorted(set(changes) - set(CALENDAR_FIELDS))
    if unknown:
        raise ValidationFailed(
            _("These details of a calendar cannot be changed: %(names)s.")
            % {"names": ", ".join(unknown)},
            field=unknown[0],
        )
    values = {name: getattr(calendar, name) for name in CALENDAR_FIELDS} | changes
    return sla.calendar_save(by=by, calendar=calendar, extra_holidays=extra_holidays, **values)


POLICY_FIELDS = (
    "name",
    "calendar_id",
    "queue_id",
    "priority",
    "segment",
    "first_response_minutes",
    "resolution_minutes",
    "warn_minutes",
    "escalate_to_queue_id",
    "escalate_to_user_id",
    "raise_priority",
    "manager_email",
    "active",
    "segment_id",
    "rank",
)


def _marketing_segment(by: User | None, policy: SlaPolicy, segment_id: Any) -> None:
    """Name the policy's marketing segment (None: none): one ``by`` may see, else a
    refusal on ``segment_id`` that says the same for a segment out of his sight as for
    one that does not exist. Kept unchecked when unchanged."""
    if segment_id is None or segment_id == policy.marketing_segment_id:
        policy.marketing_segment_id = segment_id
        return
    try:
        policy.marketing_segment = segment_visible_get(user=by, segment_id=segment_id)
    except NotFound as exc:
        raise ValidationFailed(str(exc), field="segment_id") from None


def policy_set(
    *, by: User | None, changes: dict[str, Any], policy: SlaPolicy | None = None
) -> SlaPolicy:
    """Create an SLA policy (``policy`` None) or change some of its settings, named by
    their ids (``calendar_id``, ``queue_id``...): each id checked to exist, then the
    policy's rules (``sla.policy_check``: targets, no overlap). Nothing is written on a
    refusal."""
    ensure_can(by, "service.configure")
    unknown = sorted(set(changes) - set(POLICY_FIELDS))
    if unknown:
        raise ValidationFailed(
            _("These settings of a policy cannot be changed: %(names)s.")
            % {"names": ", ".join(unknown)},
            field=unknown[0],
        )
    policy = policy or SlaPolicy()
    changes = dict(changes)
    if "segment_id" in changes:
        _marketing_segment(by, policy, changes.pop("segment_id"))
    rank = changes.get("rank", policy.rank)
    if not isinstance(rank, int) or isinstance(rank, bool) or not 0 <= rank <= 32767:
        raise ValidationFailed(_("The rank is a whole number from 0 to 32767."), field="rank")
    for name, value in changes.items():
        setattr(policy, name, value.strip() if isinstance(value, str) else value)
    if (
        policy.calendar_id is None
        or not BusinessCalendar.objects.filter(pk=policy.calendar_id).exists()
    ):
        raise ValidationFailed(
            _("Calendar %(id)s does not exist.") % {"id": policy.calendar_id},
            field="calendar_id",
        )
    for name in ("queue_id", "escalate_to_queue_id"):
        value = getattr(policy, name)
        if value is not None and not Queue.objects.filter(pk=value).exists():
            raise ValidationFailed(_("Queue %(id)s does not exist.") % {"id": value}, field=name)
    user_id = policy.escalate_to_user_id
    if user_id is not None and not User.objects.filter(pk=user_id, is_active=True).exists():
        raise ValidationFailed(
            _("User %(id)s does not exist or is not active.") % {"id": user_id},
            field="escalate_to_user_id",
        )
    for name in ("first_response_minutes", "resolution_minutes", "warn_minutes"):
        value = getattr(policy, name)
        if value is not None and (not isinstance(value, int) or value < 0):
            raise ValidationFailed(_("Give a whole number of minutes."), field=name)
    policy.manager_email = _email(policy.manager_email, "manager_email")
    rules_for(SlaPolicy).check(policy)
    return sla.policy_save(by=by, policy=policy)
