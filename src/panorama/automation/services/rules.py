"""Saving, pausing, exporting and importing business rules: one validation for the
editor, the API and the import."""

import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import NotFound, ValidationFailed

from ..actions import actions_validate
from ..conditions import conditions_validate
from ..engine import rule_events, rules_forget
from ..models import Rule

FIELDS = ("name", "description", "trigger", "event", "schedule_time", "conditions", "actions")
EXPORT_VERSION = 1


def _time(value: Any) -> datetime.time | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.time):
        return value
    try:
        return datetime.time.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed(
            _("“%(v)s” is not a time like 08:00.") % {"v": value}, field="schedule_time"
        ) from None


def rule_clean(data: dict[str, Any], *, by: User | None = None) -> dict[str, Any]:
    """The rule's fields checked and normalised, or ValidationFailed naming the problem
    (``by``: whose segments its conditions may name)."""
    unknown = set(data) - {*FIELDS, "active"}
    if unknown:
        raise ValidationFailed(
            _("Unknown rule fields: %(f)s.") % {"f": ", ".join(sorted(unknown))},
            field=sorted(unknown)[0],
        )
    name = str(data.get("name") or "").strip()
    if not name:
        raise ValidationFailed(_("A rule needs a name."), field="name")
    if len(name) > 120:
        raise ValidationFailed(_("A name has at most 120 characters."), field="name")
    trigger = data.get("trigger") or Rule.Trigger.EVENT
    if trigger not in Rule.Trigger.values:
        raise ValidationFailed(_("Unknown trigger %(t)s.") % {"t": trigger}, field="trigger")
    event = str(data.get("event") or "")
    when = _time(data.get("schedule_time"))
    if trigger == Rule.Trigger.EVENT:
        if event not in rule_events():
            raise ValidationFailed(
                _("Choose an event of the catalogue (not “%(e)s”).") % {"e": event}, field="event"
            )
        when = None
    else:
        if when is None:
            raise ValidationFailed(_("Say at what time it runs every day."), field="schedule_time")
        event = ""
    return {
        "name": name,
        "description": str(data.get("description") or "").strip(),
        "trigger": trigger,
        "event": event,
        "schedule_time": when,
        "conditions": conditions_validate(data.get("conditions"), event=event or None, user=by),
        "actions": actions_validate(data.get("actions")),
        "active": bool(data.get("active", True)),
    }


def rule_get(*, rule_id: int) -> Rule:
    rule = Rule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(_("There is no rule %(id)s.") % {"id": rule_id})
    return rule


def _name_free(name: str, rule_id: int | None) -> None:
    others = Rule.objects.filter(name__iexact=name)
    if rule_id is not None:
        others = others.exclude(pk=rule_id)
    if others.exists():
        raise ValidationFailed(_("Another rule is called “%(n)s”.") % {"n": name}, field="name")


@transaction.atomic
def rule_save(*, by: User | None, data: dict[str, Any], rule_id: int | None = None) -> Rule:
    """Create (``rule_id`` None) or change a rule, validated whole."""
    ensure_can(by, "automation.edit_rules")
    rule = rule_get(rule_id=rule_id) if rule_id is not None else Rule(created_by=by)
    if rule_id is not None and "active" not in data:
        data = {**data, "active": rule.active}
    clean = rule_clean(data, by=by)
    _name_free(clean["name"], rule_id)
    for name, value in clean.items():
        setattr(rule, name, value)
    rule.save()
    emit(
        "rule.saved",
        rule_id=rule.pk,
        created=rule_id is None,
        active=rule.active,
        by=by.pk if by else None,
    )
    transaction.on_commit(rules_forget)
    rules_forget()
    return rule


@transaction.atomic
def rule_set_active(*, by: User | None, rule_id: int, active: bool) -> Rule:
    """Pause (``active`` False) or resume a rule."""
    ensure_can(by, "automation.edit_rules")
    rule = rule_get(rule_id=rule_id)
    if rule.active != active:
        rule.active = active
        rule.save(update_fields=["active", "updated_at"])
        emit("rule.saved", rule_id=rule.pk, created=False, active=active, by=by.pk if by else None)
    transaction.on_commit(rules_forget)
    rules_forget()
    return rule


def rule_export(rule: Rule) -> dict[str, Any]:
    return {
        "name": rule.name,
        "description": rule.description,
        "trigger": rule.trigger,
        "event": rule.event,
        "schedule_time": rule.schedule_time.strftime("%H:%M") if rule.schedule_time else None,
        "conditions": rule.conditions,
        "actions": rule.actions,
        "active": rule.active,
    }


def rules_export() -> dict[str, Any]:
    """Every rule as one JSON configuration (``rules_import`` reads it back)."""
    return {
        "panorama": "rules",
        "version": EXPORT_VERSION,
        "rules": [rule_export(r) for r in Rule.objects.order_by("name")],
    }


@transaction.atomic
def rules_import(*, by: User | None, config: Any) -> tuple[int, int]:
    """Create or update (by name) every rule of ``config``, all or nothing:
    (created, updated)."""
    ensure_can(by, "automation.edit_rules")
    if not isinstance(config, dict) or config.get("panorama") != "rules":
        raise ValidationFailed(_("This is not a Panorama rules file."), field="file")
    items = config.get("rules")
    if not isinstance(items, list):
        raise ValidationFailed(_("The file has no list of rules."), field="file")
    created = updated = 0
    seen: set[str] = set()
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ValidationFailed(_("Rule %(n)s is not an object.") % {"n": number}, field="file")
        try:
            clean = rule_clean(item, by=by)
        except ValidationFailed as exc:
            raise ValidationFailed(
                _("Rule %(n)s (%(name)s): %(error)s")
                % {"n": number, "name": item.get("name", "?"), "error": exc.message},
                field="file",
            ) from None
        if clean["name"].lower() in seen:
            raise ValidationFailed(
                _("The rule “%(n)s” is twice in the file.") % {"n": clean["name"]}, field="file"
            )
        seen.add(clean["name"].lower())
        existing = Rule.objects.filter(name__iexact=clean["name"]).first()
        rule_save(by=by, data=clean, rule_id=existing.pk if existing else None)
        created, updated = (created, updated + 1) if existing else (created + 1, updated)
    return created, updated
