from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

# Inbound e-mail's records live in their sub-package (mail/); imported here so Django
# registers them with this app.
from .chat.models import ChatMessage, ChatPresence, Conversation
from .fax.models import Fax
from .mail.models import MailAttachment, Mailbox, MailEntry
from .outbound.models import MailTemplate, SendingIdentity, SentMail
from .sms.models import MessagingAccount, TextMessage
from .visits.models import Branch

__all__ = [
    "Branch",
    "ChatMessage",
    "ChatPresence",
    "Conversation",
    "Fax",
    "Interaction",
    "MailAttachment",
    "MailEntry",
    "MailTemplate",
    "Mailbox",
    "MessagingAccount",
    "SendingIdentity",
    "SentMail",
    "TextMessage",
]


class Interaction(models.Model):
    """One contact with the customer, on any channel: the timeline is these rows."""

    class Channel(models.TextChoices):
        WEB = "web", _("Web")
        EMAIL = "email", _("E-mail")
        PHONE = "phone", _("Phone")
        SMS = "sms", _("SMS")
        CHAT = "chat", _("Chat")
        FAX = "fax", _("Fax")
        IN_PERSON = "in_person", _("In person")
        PORTAL = "portal", _("Self-service portal")
        API = "api", _("API")
        NOTE = "note", _("Internal note")

    class Direction(models.TextChoices):
        INBOUND = "inbound", _("Inbound")
        OUTBOUND = "outbound", _("Outbound")
        INTERNAL = "internal", _("Internal")

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="interactions"
    )
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("summary"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=100, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interactions",
        verbose_name=_("agent"),
    )
    occurred_at = models.DateTimeField(_("when"))
    duration_seconds = models.PositiveIntegerField(_("duration (s)"), null=True, blank=True)
    # Link to one of the customer's records, of any app (holding, opportunity, case...):
    # ``interaction.related`` reads and sets it (contenttypes' GenericForeignKey).
    related_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    related_id = models.PositiveBigIntegerField(null=True, blank=True)
    related = GenericForeignKey("related_type", "related_id")
    metadata = models.JSONField(default=dict, blank=True)
    # A message that did not go out (refused by the server or the provider, or reported
    # failed later): the entry says so, and the "Failed messages" page lists it
    # (``failures.py``); ``metadata`` keeps the reason and what a retry needs.
    failed = models.BooleanField(_("failed"), default=False, db_default=False)
    # Set while a retry of this failed message is being sent: the claim one conditional
    # UPDATE takes before sending, so two clicks at once send it once (failures.py).
    retry_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        indexes = [
            models.Index(fields=["customer", "-occurred_at", "-id"], name="interaction_timeline"),
            models.Index(fields=["related_type", "related_id"], name="interaction_related"),
            models.Index(
                fields=["-occurred_at", "-id"],
                condition=models.Q(failed=True),
                name="interaction_failed",
            ),
        ]
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return self.subject
