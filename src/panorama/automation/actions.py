"""A rule's actions: checked at save, run when the rule matches.

    {"type": "alert", "to": "owner" | "team" | "user:<username>", "title": "...",
     "body": "...", "priority": 1..3, "expires_in_days": 7}
    {"type": "agenda", "kind": "call" | "task" | "visit" | "meeting", "subject": "...",
     "in_days": 1, "at": "09:00"}                      (on the customer's owner's agenda)
    {"type": "assign", "owner": "<username>"} and/or "team": "<team name>"
    {"type": "update_field", "field": "customer.status" | "customer.custom.<key>" | ...,
     "value": ...}
    {"type": "webhook", "url": "https://..."}          (POST, JSON, Idempotency-Key header)
    {"type": "enrol_journey", "journey": <id>}, {"type": "send_email", "template": <id>},
    {"type": "add_to_list", "list": <id>}, {"type": "send_sms", "account": <id>, "text": "..."}
                                                       (marketing's and the channels':
                                                       see outreach.py)

Texts may quote a field between braces: "Simulation of {event.data.amount} €".
"""

import datetime
import json
import re
import urllib.request
from typing import Any

from django.conf import settings
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.core.exceptions import ValidationFailed

from . import outreach
from .conditions import _MISSING, CUSTOMER_FIELDS, Subject, value_of

TYPES = ("alert", "agenda", "assign", "update_field", "webhook", *outreach.TYPES)
AGENDA_KINDS = ("call", "task", "visit", "meeting")
UPDATABLE = ("status", "language", "notes")
MAX_ACTIONS = 10
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_.]*)\}")


def _fail(message: str) -> ValidationFailed:
    return ValidationFailed(message, field="actions")


def _text(action: dict, key: str, *, required: bool, limit: int = 200) -> str:
    value = action.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise _fail(
            _("The “%(type)s” action needs %(key)s.") % {"type": action["type"], "key": key}
        )
    if len(value) > limit:
        raise _fail(_("%(key)s is longer than %(n)s characters.") % {"key": key, "n": limit})
    return value.strip()


def _int(action: dict, key: str, default: int, low: int, high: int) -> int:
    value = action.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _fail(
            _("%(key)s is a whole number from %(low)s to %(high)s.")
            % {"key": key, "low": low, "high": high}
        )
    return value


def _validate_one(action: Any) -> dict:
    from panorama.accounts.models import Team, User

    if not isinstance(action, dict) or action.get("type") not in TYPES:
        kind = action.get("type") if isinstance(action, dict) else action
        raise _fail(_("Unknown action %(a)s.") % {"a": kind})
    kind = action["type"]
    allowed = {
        "alert": {"to", "title", "body", "priority", "expires_in_days"},
        "agenda": {"kind", "subject", "in_days", "at"},
        "assign": {"owner", "team"},
        "update_field": {"field", "value"},
        "webhook": {"url"},
        **outreach.ALLOWED,
    }[kind]
    extra = set(action) - allowed - {"type"}
    if extra:
        raise _fail(
            _("The “%(type)s” action has no %(keys)s.")
            % {"type": kind, "keys": ", ".join(sorted(extra))}
        )
    if kind in outreach.TYPES:
        return outreach.validate(action)
    out: dict[str, Any] = {"type": kind}
    if kind == "alert":
        to = action.get("to", "owner")
        if to not in ("owner", "team") and not (isinstance(to, str) and to.startswith("user:")):
            raise _fail(_("An alert goes to owner, team or user:<username>."))
        if (
            to.startswith("user:")
            and not User.objects.filter(username=to[5:], is_active=True).exists()
        ):
            raise _fail(_("Unknown user %(u)s.") % {"u": to[5:]})
        out |= {
            "to": to,
            "title": _text(action, "title", required=True),
            "body": _text(action, "body", required=False, limit=2000),
            "priority": _int(action, "priority", 2, 1, 3),
        }
        if action.get("expires_in_days") is not None:
            out["expires_in_days"] = _int(action, "expires_in_days", 7, 1, 365)
    elif kind == "agenda":
        if action.get("kind", "call") not in AGENDA_KINDS:
            raise _fail(_("Unknown agenda item kind %(k)s.") % {"k": action.get("kind")})
        at = action.get("at", "09:00")
        try:
            datetime.time.fromisoformat(at)
        except (TypeError, ValueError):
            raise _fail(_("“at” is a time like 09:00.")) from None
        out |= {
            "kind": action.get("kind", "call"),
            "subject": _text(action, "subject", required=True),
            "in_days": _int(action, "in_days", 1, 0, 365),
            "at": at,
        }
    elif kind == "assign":
        owner, team = action.get("owner") or "", action.get("team") or ""
        if not owner and not team:
            raise _fail(_("Say whom to assign the customer to (a user or a team)."))
        if owner and not User.objects.filter(username=owner, is_active=True).exists():
            raise _fail(_("Unknown user %(u)s.") % {"u": owner})
        if team and not Team.objects.filter(name=team).exists():
            raise _fail(_("Unknown team %(t)s.") % {"t": team})
        out |= {"owner": owner, "team": team}
    elif kind == "update_field":
        name = action.get("field", "")
        from .conditions import _custom_keys

        head, _dot, rest = str(name).partition(".")
        custom = rest.startswith("custom.") and rest[7:] in _custom_keys()
        if head != "customer" or not (rest in UPDATABLE or custom):
            raise _fail(_("Unknown field %(f)s.") % {"f": name})
        if "value" not in action:
            raise _fail(_("Say the new value of %(f)s.") % {"f": name})
        out |= {"field": name, "value": action["value"]}
    else:
        url = action.get("url", "")
        try:
            URLValidator(schemes=["http", "https"])(url)
        except Exception:
            raise _fail(_("%(u)s is not a web address.") % {"u": url}) from None
        out["url"] = url
    return out


def actions_validate(actions: Any) -> list[dict]:
    if actions in (None, []):
        return []
    if not isinstance(actions, list):
        raise _fail(_("Actions are a list."))
    if len(actions) > MAX_ACTIONS:
        raise _fail(_("A rule has at most %(n)s actions.") % {"n": MAX_ACTIONS})
    return [_validate_one(action) for action in actions]


def fill(text: str, subject: Subject) -> str:
    """``text`` with each ``{field}`` replaced by its value (left as is when unknown)."""

    def one(match: re.Match) -> str:
        name = match.group(1)
        if name == "customer":
            return subject.customer.display_name if subject.customer else ""
        try:
            value = value_of(name, subject)
        except (IndexError, AttributeError):
            return match.group(0)
        return match.group(0) if value is _MISSING else str(value)

    return _PLACEHOLDER.sub(one, text)


def describe(action: dict) -> str:
    """One line for a person: what the action does."""
    kind = action["type"]
    if kind == "alert":
        return _("Alert %(to)s: %(title)s") % {"to": action["to"], "title": action["title"]}
    if kind == "agenda":
        return _("Plan a %(kind)s in %(days)s day(s) at %(at)s: %(subject)s") % {
            "kind": action["kind"],
            "days": action["in_days"],
            "at": action["at"],
            "subject": action["subject"],
        }
    if kind == "assign":
        return _("Assign to %(who)s") % {"who": action["owner"] or action["team"]}
    if kind == "update_field":
        return _("Set %(f)s to %(v)s") % {"f": action["field"], "v": action["value"]}
    if kind in outreach.TYPES:
        return outreach.describe(action)
    return _("Call the webhook %(u)s") % {"u": action["url"]}


def _need_customer(subject: Subject) -> Any:
    if subject.customer is None:
        raise ValidationFailed(_("This event has no customer."), field="actions")
    return subject.customer


def _alert_target(action: dict, customer: Any, by_name: dict[str, int]) -> tuple[Any, Any]:
    if action["to"] == "owner":
        return customer.owner_id, None
    if action["to"] == "team":
        return None, customer.team_id
    return by_name.get(action["to"][5:]), None


def alerts_raise(items: list) -> None:
    """The alerts of a batch's matched alerts-only rules (``items``: (pending event,
    its run, the rule)), as ``run_action`` would raise them one by one through
    ``alert_raise`` — same checks, same messages, same sources (a redelivered event
    raises nothing twice), a failing alert fails its whole run — in a constant number
    of queries: the users named, the active users and teams, the sources already used,
    one INSERT of the alerts and the ``alert.raised`` events in bulk."""
    from panorama.accounts.models import Team, User
    from panorama.core.bulk import model_new, objects_insert
    from panorama.core.events import caused_at_depth, emit_many
    from panorama.core.exceptions import DomainError

    from .models import Alert

    named = {
        a["to"][5:] for _p, _run, rule in items for a in rule.actions if a["to"].startswith("user:")
    }
    by_name = (
        dict(User.objects.filter(username__in=named).values_list("username", "pk")) if named else {}
    )
    plans = []
    for pending, run, rule in items:
        subject, planned, error = pending.subject, [], ""
        try:
            customer = _need_customer(subject)
            for index, action in enumerate(rule.actions):
                user_id, team_id = _alert_target(action, customer, by_name)
                if user_id is None and team_id is None:
                    raise ValidationFailed(_("The customer has no owner or team to alert."))
                expires = None
                if action.get("expires_in_days"):
                    expires = timezone.now() + datetime.timedelta(days=action["expires_in_days"])
                planned.append(
                    model_new(
                        Alert,
                        customer=customer,
                        user_id=user_id,
                        team_id=team_id,
                        title=fill(action["title"], subject)[:200].strip()[:200],
                        body=fill(action.get("body", ""), subject).strip(),
                        priority=action["priority"],
                        expires_at=expires,
                        rule=rule,
                        source=f"rule:{rule.pk}:{pending.key}:{index}"[:120],
                    )
                )
        except DomainError as exc:
            planned, error = [], str(exc.message)
        plans.append((pending, run, planned, error))
    alerts = [alert for _p, _r, planned, _e in plans for alert in planned]
    users = {a.user_id for a in alerts if a.user_id is not None}
    teams = {a.team_id for a in alerts if a.team_id is not None}
    active = set(User.objects.filter(pk__in=users, is_active=True).values_list("pk", flat=True))
    known_teams = set(Team.objects.filter(pk__in=teams).values_list("pk", flat=True))
    used = dict(
        Alert.objects.filter(source__in=[a.source for a in alerts]).values_list("source", "pk")
    )
    new: list[Alert] = []
    for _pending, run, planned, error in plans:
        kept: list[Alert] = []
        for alert in planned:
            if alert.source in used:  # raised already: its alert stands
                alert.pk = used[alert.source]
                kept.append(alert)
                continue
            if not alert.title:
                error = _("An alert needs a title.")
            elif alert.user_id is not None and alert.user_id not in active:
                error = _("Unknown user %(u)s.") % {"u": alert.user_id}
            elif alert.team_id is not None and alert.team_id not in known_teams:
                error = _("Unknown team %(t)s.") % {"t": alert.team_id}
            if error:
                break
            kept.append(alert)
        if error:
            run.actions_done, run.error = [], error
            continue
        new += [a for a in kept if a.source not in used]
        run.actions_done = kept  # replaced by the texts once the new ones have their ids
    objects_insert(new)
    fresh = {id(a) for a in new}
    by_depth: dict[int, list[dict[str, Any]]] = {}
    for pending, run, _planned, _error in plans:
        if run.error:
            continue
        for alert in run.actions_done:
            if id(alert) in fresh:
                by_depth.setdefault(pending.depth, []).append(
                    {
                        "alert_id": alert.pk,
                        "customer_id": alert.customer_id,
                        "user_id": alert.user_id,
                        "team_id": alert.team_id,
                        "priority": int(alert.priority),
                        "rule_id": alert.rule_id,
                    }
                )
        run.actions_done = [_("Alert %(id)s raised") % {"id": a.pk} for a in run.actions_done]
    for depth, payloads in by_depth.items():
        with caused_at_depth(depth + 1):
            emit_many("alert.raised", payloads)


def run_action(action: dict, *, subject: Subject, rule, key: str, index: int) -> str:
    """Do ``action``; returns what was done. Idempotent per (rule, key, index)."""
    kind = action["type"]
    if kind == "alert":
        from .services.alerts import alert_raise

        customer = _need_customer(subject)
        user_id = team_id = None
        if action["to"] == "owner":
            user_id = customer.owner_id
        elif action["to"] == "team":
            team_id = customer.team_id
        else:
            from panorama.accounts.models import User

            user_id = (
                User.objects.filter(username=action["to"][5:]).values_list("pk", flat=True).first()
            )
        if user_id is None and team_id is None:
            raise ValidationFailed(_("The customer has no owner or team to alert."))
        expires = None
        if action.get("expires_in_days"):
            expires = timezone.now() + datetime.timedelta(days=action["expires_in_days"])
        alert = alert_raise(
            by=None,
            customer_id=customer.pk,
            user_id=user_id,
            team_id=team_id,
            title=fill(action["title"], subject)[:200],
            body=fill(action.get("body", ""), subject),
            priority=action["priority"],
            expires_at=expires,
            rule=rule,
            source=f"rule:{rule.pk}:{key}:{index}"[:120],
        )
        return _("Alert %(id)s raised") % {"id": alert.pk}
    if kind == "agenda":
        from panorama.sales.services.activity import activity_plan

        customer = _need_customer(subject)
        if customer.owner_id is None:
            raise ValidationFailed(_("The customer has no owner whose agenda to use."))
        day = timezone.localdate() + datetime.timedelta(days=action["in_days"])
        starts = timezone.make_aware(
            datetime.datetime.combine(day, datetime.time.fromisoformat(action["at"]))
        )
        activity = activity_plan(
            by=None,
            kind=action["kind"],
            subject=fill(action["subject"], subject)[:200],
            starts_at=starts,
            owner=customer.owner_id,
            customer_id=customer.pk,
            notes=_("Proposed by the rule “%(rule)s”.") % {"rule": rule.name},
        )
        return _("Agenda item %(id)s planned") % {"id": activity.pk}
    if kind == "assign":
        from panorama.accounts.models import Team, User
        from panorama.customers.services.customer import customer_update

        customer = _need_customer(subject)
        changes: dict[str, Any] = {}
        if action["owner"]:
            changes["owner"] = User.objects.get(username=action["owner"])
        if action["team"]:
            changes["team"] = Team.objects.get(name=action["team"])
        customer_update(customer=customer, by=None, changes=changes)
        return describe(action)
    if kind == "update_field":
        from panorama.customers.services.customer import customer_update

        customer = _need_customer(subject)
        name = action["field"].split(".", 1)[1]
        if name.startswith("custom."):
            changes = {"custom_fields": {name[7:]: action["value"]}}
        else:
            changes = {name: action["value"]}
        customer_update(customer=customer, by=None, changes=changes)
        return describe(action)
    if kind in outreach.TYPES:
        text = fill(action["text"], subject) if kind == "send_sms" else ""
        return outreach.run(action, customer=_need_customer(subject), rule=rule, text=text)
    body = json.dumps(
        {
            "rule": rule.name,
            "event": subject.event,
            "data": subject.payload,
            "customer_id": subject.customer.pk if subject.customer else None,
        },
        default=str,
    ).encode()
    request = urllib.request.Request(  # noqa: S310 (http(s) only: checked at save)
        action["url"],
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Idempotency-Key": f"{rule.pk}:{key}:{index}",
            "User-Agent": "Panorama rules",
        },
    )
    timeout = getattr(settings, "PANORAMA_WEBHOOK_TIMEOUT", 5)
    # http(s) only: the URL was checked at save.
    with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
        status = answer.status
    return _("Webhook answered %(s)s") % {"s": status}


__all__ = ["CUSTOMER_FIELDS", "TYPES", "actions_validate", "describe", "run_action"]
