"""The rule editor: a trigger, up to five condition rows (or JSON for nested ones) and
one block per kind of action (or JSON for several of a kind). It only parses: the
service (``rule_save``) validates, and its error lands beside the field it names."""

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from panorama.accounts.models import Team, User
from panorama.core.forms import StyledForm

from . import outreach
from .actions import AGENDA_KINDS
from .engine import rule_events
from .models import Alert, Rule

ROWS = 5
OP_LABELS = {
    "eq": _("is"),
    "ne": _("is not"),
    "gt": _("is more than"),
    "gte": _("is at least"),
    "lt": _("is less than"),
    "lte": _("is at most"),
    "contains": _("contains"),
    "not_contains": _("does not contain"),
    "in": _("is one of (comma-separated)"),
    "exists": _("is set"),
    "missing": _("is not set"),
}


def _value(text: str) -> Any:
    """A typed value: a number or true/false/null when it reads as one, else the text."""
    text = text.strip()
    try:
        return json.loads(text)
    except ValueError:
        return text


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _segment_id(text: str) -> Any:
    """A segment condition's value as typed: its id, or its name when one segment has it
    (otherwise the text, which the service refuses naming it)."""
    from panorama.marketing.models import Segment

    value = _value(text)
    if isinstance(value, str) and value:
        found = list(Segment.objects.filter(name__iexact=value).values_list("pk", flat=True)[:2])
        if len(found) == 1:
            return found[0]
    return value


def _segment_name(value: Any) -> str:
    from panorama.marketing.models import Segment

    found = Segment.objects.filter(pk=value).first() if type(value) is int else None
    names = Segment.objects.filter(name__iexact=found.name).count() if found else 0
    return found.name if found and names == 1 else _shown(value)


class RuleForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    trigger = forms.ChoiceField(label=_("When"), choices=Rule.Trigger.choices)
    event = forms.ChoiceField(label=_("Event"), required=False)
    schedule_time = forms.TimeField(
        label=_("Every day at"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    match = forms.ChoiceField(
        label=_("Conditions"),
        choices=[("all", _("All of these hold")), ("any", _("Any of these holds"))],
    )
    conditions_json = forms.CharField(
        label=_("Conditions as JSON (nested and/or/not)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control font-monospace"}),
        help_text=_("Used when no row above is filled."),
    )
    # Actions, one block per kind.
    alert_on = forms.BooleanField(label=_("Raise an alert"), required=False)
    alert_to = forms.ChoiceField(
        label=_("For"),
        required=False,
        choices=[("owner", _("The customer's owner")), ("team", _("The customer's team"))],
    )
    alert_title = forms.CharField(label=_("Title"), required=False, max_length=200)
    alert_priority = forms.TypedChoiceField(
        label=_("Priority"),
        required=False,
        coerce=int,
        choices=Alert.Priority.choices,
        initial=Alert.Priority.NORMAL,
    )
    alert_expires = forms.IntegerField(
        label=_("Expires after (days)"), required=False, min_value=1, max_value=365
    )
    agenda_on = forms.BooleanField(label=_("Propose in the owner's agenda"), required=False)
    agenda_kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[
            ("call", _("Call")),
            ("task", _("Task")),
            ("visit", _("Visit")),
            ("meeting", _("Meeting")),
        ],
    )
    agenda_subject = forms.CharField(label=_("Subject"), required=False, max_length=200)
    agenda_in_days = forms.IntegerField(
        label=_("In how many days"), required=False, min_value=0, max_value=365, initial=1
    )
    agenda_at = forms.TimeField(
        label=_("At"),
        required=False,
        initial="09:00",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    assign_on = forms.BooleanField(label=_("Assign the customer"), required=False)
    assign_owner = forms.ModelChoiceField(
        label=_("To the user"),
        required=False,
        queryset=User.objects.filter(is_active=True).order_by("username"),
        to_field_name="username",
    )
    assign_team = forms.ModelChoiceField(
        label=_("To the team"),
        required=False,
        queryset=Team.objects.order_by("name"),
        to_field_name="name",
    )
    update_on = forms.BooleanField(label=_("Update a field"), required=False)
    update_field = forms.CharField(
        label=_("Field"), required=False, help_text=_("e.g. customer.status")
    )
    update_value = forms.CharField(label=_("New value"), required=False)
    webhook_on = forms.BooleanField(label=_("Call a webhook"), required=False)
    webhook_url = forms.URLField(label=_("Address"), required=False, assume_scheme="https")
    journey_on = forms.BooleanField(label=_("Enrol in a marketing journey"), required=False)
    journey = forms.ChoiceField(
        label=_("Journey"),
        required=False,
        help_text=_("An active journey; a customer enters it once unless it allows re-entry."),
    )
    email_on = forms.BooleanField(label=_("E-mail a message template"), required=False)
    email_template = forms.ChoiceField(
        label=_("Message template"),
        required=False,
        help_text=_("Sent only if the customer consents to marketing e-mail at that moment."),
    )
    list_on = forms.BooleanField(label=_("Add to a static list"), required=False)
    static_list = forms.ChoiceField(
        label=_("Static list"),
        required=False,
        help_text=_("A customer already in the list stays as he is."),
    )
    sms_on = forms.BooleanField(label=_("Send an SMS"), required=False)
    sms_account = forms.ChoiceField(label=_("From the SMS account"), required=False)
    sms_text = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Sent only if the customer consents to marketing by SMS at that moment. "
            "Fields between braces are filled in: {event.data.amount}."
        ),
    )
    actions_json = forms.CharField(
        label=_("Actions as JSON (several of a kind)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control font-monospace"}),
        help_text=_("Used when no block above is ticked."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        event = self.fields["event"]
        assert isinstance(event, forms.ChoiceField)
        event.choices = [("", "—")] + [(n, n) for n in rule_events()]
        journey, template = self.fields["journey"], self.fields["email_template"]
        assert isinstance(journey, forms.ChoiceField)
        assert isinstance(template, forms.ChoiceField)
        journey.choices = outreach.journey_choices()
        template.choices = outreach.template_choices()
        for name, choices in (
            ("static_list", outreach.list_choices),
            ("sms_account", outreach.sms_account_choices),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices()
        for i in range(ROWS):
            self.fields[f"c{i}_field"] = forms.CharField(
                label=_("Field"), required=False, widget=forms.TextInput(attrs={"list": "fields"})
            )
            self.fields[f"c{i}_op"] = forms.ChoiceField(
                label=_("Test"), required=False, choices=list(OP_LABELS.items())
            )
            self.fields[f"c{i}_value"] = forms.CharField(label=_("Value"), required=False)
            self.fields[f"c{i}_not"] = forms.BooleanField(label=_("Not"), required=False)
        self.style()

    def rows(self) -> list[list]:
        return [
            [self[f"c{i}_not"], self[f"c{i}_field"], self[f"c{i}_op"], self[f"c{i}_value"]]
            for i in range(ROWS)
        ]

    def _json(self, name: str) -> Any:
        text = self.cleaned_data.get(name) or ""
        if not text.strip():
            return None
        try:
            return json.loads(text)
        except ValueError as exc:
            self.add_error(name, _("This is not valid JSON: %(e)s") % {"e": exc})
            return None

    def conditions(self) -> Any:
        leaves = []
        for i in range(ROWS):
            name = (self.cleaned_data.get(f"c{i}_field") or "").strip()
            if not name:
                continue
            op = self.cleaned_data.get(f"c{i}_op") or "eq"
            leaf: dict[str, Any] = {"field": name, "op": op}
            text = self.cleaned_data.get(f"c{i}_value") or ""
            if op == "in":
                leaf["value"] = [_value(part) for part in text.split(",") if part.strip()]
            elif name == "segment":
                leaf["value"] = _segment_id(text)
            elif op not in ("exists", "missing"):
                leaf["value"] = _value(text)
            leaves.append({"not": leaf} if self.cleaned_data.get(f"c{i}_not") else leaf)
        if not leaves:
            return self._json("conditions_json") or {}
        return {self.cleaned_data.get("match") or "all": leaves}

    def actions(self) -> Any:
        d = self.cleaned_data
        out: list[dict[str, Any]] = []
        if d.get("alert_on"):
            alert = {
                "type": "alert",
                "to": d.get("alert_to") or "owner",
                "title": d.get("alert_title") or "",
                "priority": d.get("alert_priority") or 2,
            }
            if d.get("alert_expires"):
                alert["expires_in_days"] = d["alert_expires"]
            out.append(alert)
        if d.get("agenda_on"):
            at = d.get("agenda_at")
            out.append(
                {
                    "type": "agenda",
                    "kind": d.get("agenda_kind") or "call",
                    "subject": d.get("agenda_subject") or "",
                    "in_days": d["agenda_in_days"] if d.get("agenda_in_days") is not None else 1,
                    "at": at.strftime("%H:%M") if at else "09:00",
                }
            )
        if d.get("assign_on"):
            owner, team = d.get("assign_owner"), d.get("assign_team")
            out.append(
                {
                    "type": "assign",
                    "owner": owner.username if owner else "",
                    "team": team.name if team else "",
                }
            )
        if d.get("update_on"):
            out.append(
                {
                    "type": "update_field",
                    "field": (d.get("update_field") or "").strip(),
                    "value": _value(d.get("update_value") or ""),
                }
            )
        if d.get("webhook_on"):
            out.append({"type": "webhook", "url": d.get("webhook_url") or ""})
        if d.get("journey_on"):
            out.append({"type": "enrol_journey", "journey": d.get("journey") or ""})
        if d.get("email_on"):
            out.append({"type": "send_email", "template": d.get("email_template") or ""})
        if d.get("list_on"):
            out.append({"type": "add_to_list", "list": d.get("static_list") or ""})
        if d.get("sms_on"):
            out.append(
                {
                    "type": "send_sms",
                    "account": d.get("sms_account") or "",
                    "text": d.get("sms_text") or "",
                }
            )
        if not out:
            return self._json("actions_json") or []
        return out

    def values(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "name": d.get("name", ""),
            "description": d.get("description", ""),
            "active": d.get("active", False),
            "trigger": d.get("trigger"),
            "event": d.get("event") or "",
            "schedule_time": d.get("schedule_time"),
            "conditions": self.conditions(),
            "actions": self.actions(),
        }

    @staticmethod
    def initial_of(rule: Rule | None) -> dict[str, Any]:
        if rule is None:
            return {"active": True, "trigger": "event", "match": "all", "agenda_in_days": 1}
        initial: dict[str, Any] = {
            "name": rule.name,
            "description": rule.description,
            "active": rule.active,
            "trigger": rule.trigger,
            "event": rule.event,
            "schedule_time": rule.schedule_time,
            "match": "all",
        }
        node = rule.conditions or {}
        key = next(iter(node), None)
        children = node.get(key) if key in ("all", "any") else None
        flat = isinstance(children, list) and len(children) <= ROWS
        flat = flat and all(
            "field" in c or (set(c) == {"not"} and "field" in c["not"]) for c in children or []
        )
        if node and not flat:
            initial["conditions_json"] = json.dumps(node, indent=2, ensure_ascii=False)
        elif node:
            initial["match"] = key
            for i, child in enumerate(children or []):
                leaf = child.get("not", child)
                initial[f"c{i}_not"] = "not" in child
                initial[f"c{i}_field"] = leaf["field"]
                initial[f"c{i}_op"] = leaf["op"]
                value = leaf.get("value", "")
                initial[f"c{i}_value"] = (
                    _segment_name(value)
                    if leaf["field"] == "segment"
                    else ", ".join(_shown(v) for v in value)
                    if isinstance(value, list)
                    else _shown(value)
                )
        kinds = [a["type"] for a in rule.actions]
        if len(set(kinds)) != len(kinds):
            initial["actions_json"] = json.dumps(rule.actions, indent=2, ensure_ascii=False)
            return initial
        for action in rule.actions:
            kind = action["type"]
            if kind == "alert":
                initial |= {
                    "alert_on": True,
                    "alert_to": action["to"] if action["to"] in ("owner", "team") else "owner",
                    "alert_title": action["title"],
                    "alert_priority": action["priority"],
                    "alert_expires": action.get("expires_in_days"),
                }
                if action["to"] not in ("owner", "team"):
                    initial.pop("alert_on")
                    initial["actions_json"] = json.dumps(rule.actions, indent=2)
            elif kind == "agenda":
                initial |= {
                    "agenda_on": True,
                    "agenda_kind": action["kind"],
                    "agenda_subject": action["subject"],
                    "agenda_in_days": action["in_days"],
                    "agenda_at": action["at"],
                }
            elif kind == "assign":
                initial |= {
                    "assign_on": True,
                    "assign_owner": action["owner"] or None,
                    "assign_team": action["team"] or None,
                }
            elif kind == "update_field":
                initial |= {
                    "update_on": True,
                    "update_field": action["field"],
                    "update_value": _shown(action["value"]),
                }
            elif kind == "webhook":
                initial |= {"webhook_on": True, "webhook_url": action["url"]}
            elif kind == "enrol_journey":
                initial |= {"journey_on": True, "journey": str(action["journey"])}
            elif kind == "send_email":
                initial |= {"email_on": True, "email_template": str(action["template"])}
            elif kind == "add_to_list":
                initial |= {"list_on": True, "static_list": str(action["list"])}
            elif kind == "send_sms":
                initial |= {
                    "sms_on": True,
                    "sms_account": str(action["account"]),
                    "sms_text": action["text"],
                }
        return initial


class RuleTestForm(StyledForm):
    customer = forms.IntegerField(label=_("Customer number"), required=False, min_value=1)
    payload = forms.CharField(
        label=_("Event data (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control font-monospace"}),
        help_text=_('e.g. {"name": "mortgage_simulation", "data": {"amount": 250000}}'),
    )

    def clean_payload(self):
        text = self.cleaned_data.get("payload") or ""
        if not text.strip():
            return {}
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise forms.ValidationError(_("This is not valid JSON: %(e)s") % {"e": exc}) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("The event data is a JSON object."))
        return value


class RulesImportForm(StyledForm):
    file = forms.FileField(label=_("Rules file (JSON)"))


__all__ = ["AGENDA_KINDS", "RuleForm", "RuleTestForm", "RulesImportForm"]


class AlertRaiseForm(StyledForm):
    """An alert raised by hand from the ficha: it only parses (``alert_raise`` checks)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Detail"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"), coerce=int, choices=Alert.Priority.choices, initial=2
    )
    user_id = forms.TypedChoiceField(
        label=_("For"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Empty: for you. A colleague must be able to see the customer."),
    )
    expires_on = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["user_id"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Me"))] + [
            (u.pk, u.get_full_name() or u.username)
            for u in User.objects.filter(is_active=True).order_by("first_name", "username")[:500]
        ]

    def values(self) -> dict[str, Any]:
        import datetime

        from django.utils import timezone

        d = self.cleaned_data
        until = d.get("expires_on")
        expires = None
        if until:
            # The end of that day, the site's day.
            expires = timezone.make_aware(
                datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time())
            )
        return {
            "title": d["title"],
            "body": d.get("body") or "",
            "priority": d["priority"],
            "user_id": d.get("user_id"),
            "expires_at": expires,
        }
