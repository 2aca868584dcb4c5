"""The rule actions that reach marketing and the channels: enrol in a journey, e-mail a
template, add to a static list, send an SMS.

    {"type": "enrol_journey", "journey": <journey id>}   (an active journey; once per
                                                         customer unless it allows re-entry)
    {"type": "send_email", "template": <template id>}    (only with a consent to marketing
                                                         e-mail at send time)
    {"type": "add_to_list", "list": <static list id>}    (marketing's ``list_join``: the
                                                         membership history is kept)
    {"type": "send_sms", "account": <SMS account id>, "text": "..."}
                                                         (only with a consent to marketing
                                                         by SMS at send time; the text may
                                                         quote fields: "{event.data.amount}")

Marketing and the channels sit beside automation, not below it: they are imported inside
the functions (as ``actions.py`` reaches sales), never when this module loads.
"""

import smtplib
from collections.abc import Callable
from typing import Any, NoReturn

from django.utils.translation import gettext as _

from panorama.core.exceptions import DomainError, ValidationFailed

TYPES = ("enrol_journey", "send_email", "add_to_list", "send_sms")
KEYS = {
    "enrol_journey": "journey",
    "send_email": "template",
    "add_to_list": "list",
    "send_sms": "account",
}
ALLOWED = {
    "enrol_journey": {"journey"},
    "send_email": {"template"},
    "add_to_list": {"list"},
    "send_sms": {"account", "text"},
}


class KeptFailure(DomainError):
    """An action failed, and what it failed with must outlive the run's rollback (a
    refused SMS is kept as a failed message on the customer's messages): the engine
    calls ``keep`` once the run's other writes are undone."""

    def __init__(self, message: Any, *, keep: Callable[[], Any]):
        super().__init__(message, field="actions")
        self.keep = keep


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
    if kind == "add_to_list":
        return _validate_list(pk)
    if kind == "send_sms":
        return _validate_sms(action, pk)
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


def _validate_list(pk: int) -> dict:
    from panorama.marketing.models import StaticList

    if not StaticList.objects.filter(pk=pk).exists():
        raise ValidationFailed(
            _("The “add_to_list” action names static list %(id)s, which does not exist.")
            % {"id": pk},
            field="actions",
        )
    return {"type": "add_to_list", "list": pk}


def _validate_sms(action: dict, pk: int) -> dict:
    from panorama.channels.models import MessagingAccount
    from panorama.channels.sms.services import MAX_BODY

    sms = MessagingAccount.Kind.SMS
    if not MessagingAccount.objects.filter(pk=pk, active=True, kind=sms).exists():
        raise ValidationFailed(
            _("The “send_sms” action names SMS account %(id)s, which is not an active SMS account.")
            % {"id": pk},
            field="actions",
        )
    text = action.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValidationFailed(_("The “send_sms” action needs a text."), field="actions")
    if len(text) > MAX_BODY or "\x00" in text:
        raise ValidationFailed(
            _("An SMS text has at most %(n)s characters.") % {"n": MAX_BODY}, field="actions"
        )
    return {"type": "send_sms", "account": pk, "text": text.strip()}


def describe(action: dict) -> str:
    from panorama.channels.models import MessagingAccount
    from panorama.marketing.models import Journey, MessageTemplate, StaticList

    if action["type"] == "add_to_list":
        name = StaticList.objects.filter(pk=action["list"]).values_list("name", flat=True).first()
        return _("Add to the list %(name)s") % {"name": name or action["list"]}
    if action["type"] == "send_sms":
        accounts = MessagingAccount.objects.filter(pk=action["account"])
        name = accounts.values_list("name", flat=True).first()
        return _("Send the SMS “%(text)s” from %(account)s") % {
            "text": action["text"],
            "account": name or action["account"],
        }
    if action["type"] == "enrol_journey":
        name = Journey.objects.filter(pk=action["journey"]).values_list("name", flat=True).first()
        return _("Enrol in the journey %(name)s") % {"name": name or action["journey"]}
    names = MessageTemplate.objects.filter(pk=action["template"]).values_list("name", flat=True)
    return _("E-mail the template %(name)s") % {"name": names.first() or action["template"]}


def run(action: dict, *, customer: Any, rule: Any, text: str = "") -> str:
    """Do the action for the rule's customer; returns what was done (or why not).
    ``text``: an SMS's text with its fields filled in."""
    if action["type"] == "add_to_list":
        return _add_to_list(action, customer)
    if action["type"] == "send_sms":
        return _send_sms(action, customer, text or action["text"], rule)
    if action["type"] == "enrol_journey":
        from panorama.marketing.services.journeys import journey_enrol

        if journey_enrol(journey_id=action["journey"], customer_id=customer.pk):
            return _("Enrolled in journey %(id)s") % {"id": action["journey"]}
        return _("Not enrolled in journey %(id)s: already in it, or it is not active") % {
            "id": action["journey"]
        }
    from panorama.marketing.services.templates import template_send

    why = _("Sent by the rule “%(rule)s”") % {"rule": rule.name}
    try:
        _sent, what = template_send(
            template_id=action["template"], customer_id=customer.pk, why=why
        )
    except (smtplib.SMTPException, OSError) as exc:
        # Refused by the mail server: the run's error, and kept on the timeline as failed.
        _mail_refused(action, customer, rule, exc)
    return what


def _mail_refused(action: dict, customer: Any, rule: Any, exc: Exception) -> NoReturn:
    from panorama.channels.failures import failure_record
    from panorama.marketing.models import MessageTemplate

    name = MessageTemplate.objects.filter(pk=action["template"]).values_list("name", flat=True)
    subject = _("E-mail the template %(name)s") % {"name": name.first() or action["template"]}
    error = f"{type(exc).__name__}: {exc}"[:1000]

    def keep() -> None:
        failure_record(
            customer_id=customer.pk,
            channel="email",
            kind="rule_email",
            subject=subject,
            error=error,
            source=("rule", rule.name, rule.pk),
            metadata={"template_id": action["template"]},
        )

    raise KeptFailure(
        _("The mail server did not accept the message: %(error)s") % {"error": error}, keep=keep
    ) from exc


def _add_to_list(action: dict, customer: Any) -> str:
    from panorama.marketing.models import StaticList
    from panorama.marketing.services.segments import list_join

    static_list = StaticList.objects.filter(pk=action["list"]).first()
    if static_list is None:
        raise ValidationFailed(_("The static list %(id)s was deleted.") % {"id": action["list"]})
    if list_join(static_list=static_list, customer_ids=[customer.pk]):
        return _("Added to the list %(name)s") % {"name": static_list.name}
    return _("Already in the list %(name)s") % {"name": static_list.name}


def _send_sms(action: dict, customer: Any, text: str, rule: Any) -> str:
    """Through the channels' messaging service (its provider, its ``TextMessage`` and
    timeline entry), only if at this moment he consents to marketing by SMS (the SMS
    campaigns' own test). A provider's refusal (or its silence) is the run's error, and
    the failed message is kept, as a person's refused text is (``KeptFailure``)."""
    from panorama.channels.sms.services import MessageRefused, message_failure_keep, message_send
    from panorama.customers.models import Consent, Customer, Identity
    from panorama.marketing.rules import consent_granted

    live = Customer.objects.filter(pk=customer.pk, merged_into__isnull=True)
    if not live.filter(consent_granted(Consent.Purpose.MARKETING, Consent.Channel.SMS)).exists():
        return _("SMS not sent: no consent to marketing by SMS")
    if not customer.identities.filter(kind=Identity.Kind.PHONE).exists():
        return _("SMS not sent: no phone number")
    try:
        message = message_send(
            by=None, customer_id=customer.pk, account_id=action["account"], body=text
        )
    except MessageRefused as exc:
        failed, source = exc.failed, ("rule", rule.name, rule.pk)
        raise KeptFailure(
            exc.message, keep=lambda: message_failure_keep(failed=failed, source=source)
        ) from exc
    return _("SMS sent to %(to)s") % {"to": message.number}


def journey_choices() -> list[tuple[str, str]]:
    from panorama.marketing.models import Journey

    rows = Journey.objects.filter(status=Journey.Status.ACTIVE).order_by("name", "id")
    return [("", "—")] + [(str(pk), name) for pk, name in rows.values_list("pk", "name")]


def template_choices() -> list[tuple[str, str]]:
    from panorama.marketing.models import MessageTemplate

    rows = MessageTemplate.objects.order_by("name", "id").values_list("pk", "name")
    return [("", "—")] + [(str(pk), name) for pk, name in rows]


def list_choices() -> list[tuple[str, str]]:
    from panorama.marketing.models import StaticList

    rows = StaticList.objects.order_by("name", "id").values_list("pk", "name")
    return [("", "—")] + [(str(pk), name) for pk, name in rows]


def sms_account_choices() -> list[tuple[str, str]]:
    from panorama.channels.models import MessagingAccount

    rows = MessagingAccount.objects.filter(active=True, kind=MessagingAccount.Kind.SMS)
    return [("", "—")] + [
        (str(pk), name) for pk, name in rows.order_by("name", "id").values_list("pk", "name")
    ]
