"""The rule actions that reach marketing: enrol in a journey, e-mail a template.

    {"type": "enrol_journey", "journey": <journey id>}   (an active journey; once per
                                                         customer unless it allows re-entry)
    {"type": "send_email", "template": <template id>}    (only with a consent to marketing
                                                         e-mail at send time)

Marketing sits beside automation, not below it: it is imported inside the functions
(as ``actions.py`` reaches sales), never when this module loads.
"""

from typing import Any

from django.utils.translation import gettext as _

from panorama.core.exceptions import ValidationFailed

TYPES = ("enrol_journey", "send_email")
KEYS = {"enrol_journey": "journey", "send_email": "template"}


def _id(action: dict, key: str) -> int:
    value = action.get(key)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(
            _("The “%(type)s” action needs %(key)s (a number).")
            % {"type": action["type"], "key": key},
            field="actions",
        )
    return value


def validate(action: dict) -> dict:
    """The action checked (the journey active, the template existing), or a
    ``ValidationFailed`` naming the action."""
    from panorama.marketing.models import Journey, MessageTemplate

    kind = action["type"]
    key = KEYS[kind]
    pk = _id(action, key)
    if kind == "enrol_journey":
        if not Journey.objects.filter(pk=pk, status=Journey.Status.ACTIVE).exists():
            raise ValidationFailed(
                _(
                    "The “enrol_journey” action names journey %(id)s, "
                    "which is not an active journey."
                )
                % {"id": pk},
                field="actions",
            )
    elif not MessageTemplate.objects.filter(pk=pk).exists():
        raise ValidationFailed(
            _("The “send_email” action names message template %(id)s, which does not exist.")
            % {"id": pk},
            field="actions",
        )
    return {"type": kind, key: pk}


def describe(action: dict) -> str:
    from panorama.marketing.models import Journey, MessageTemplate

    if action["type"] == "enrol_journey":
        name = Journey.objects.filter(pk=action["journey"]).values_list("name", flat=True).first()
        return _("Enrol in the journey %(name)s") % {"name": name or action["journey"]}
    names = MessageTemplate.objects.filter(pk=action["template"]).values_list("name", flat=True)
    return _("E-mail the template %(name)s") % {"name": names.first() or action["template"]}


def run(action: dict, *, customer: Any, rule: Any) -> str:
    """Do the action for the rule's customer; returns what was done (or why not)."""
    if action["type"] == "enrol_journey":
        from panorama.marketing.services.journeys import journey_enrol

        if journey_enrol(journey_id=action["journey"], customer_id=customer.pk):
            return _("Enrolled in journey %(id)s") % {"id": action["journey"]}
        return _("Not enrolled in journey %(id)s: already in it, or it is not active") % {
            "id": action["journey"]
        }
    from panorama.marketing.services.templates import template_send

    _sent, what = template_send(
        template_id=action["template"],
        customer_id=customer.pk,
        why=_("Sent by the rule “%(rule)s”") % {"rule": rule.name},
    )
    return what


def journey_choices() -> list[tuple[str, str]]:
    from panorama.marketing.models import Journey

    rows = Journey.objects.filter(status=Journey.Status.ACTIVE).order_by("name", "id")
    return [("", "—")] + [(str(pk), name) for pk, name in rows.values_list("pk", "name")]


def template_choices() -> list[tuple[str, str]]:
    from panorama.marketing.models import MessageTemplate

    rows = MessageTemplate.objects.order_by("name", "id").values_list("pk", "name")
    return [("", "—")] + [(str(pk), name) for pk, name in rows]
