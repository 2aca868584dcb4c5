"""Text messaging (SMS and WhatsApp-style): the provider accounts and every message in
or out with its delivery status. Imported by ``channels/models.py``."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


class MessagingAccount(models.Model):
    """One number at a provider: Panorama sends through its HTTP API and the provider
    posts inbound messages and delivery reports to the account's webhook, signed with
    ``webhook_secret`` (docs/messaging.md)."""

    class Kind(models.TextChoices):
        SMS = "sms", _("SMS")
        WHATSAPP = "whatsapp", _("WhatsApp-style messaging")

    class Provider(models.TextChoices):
        REFERENCE = "reference", _("Reference HTTP API (docs/messaging.md)")

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SMS)
    provider = models.CharField(
        _("provider"), max_length=20, choices=Provider.choices, default=Provider.REFERENCE
    )
    number = models.CharField(
        _("our number"), max_length=20, help_text=_("E.164, e.g. +34600111222")
    )
    api_url = models.URLField(_("provider API URL"))
    # Fernet ciphertext (mail/crypto.py): never shown back.
    api_key_sealed = models.TextField(blank=True, editable=False)
    # Kept as typed: an HMAC can only be checked with the key itself (as the PBX's).
    webhook_secret = models.CharField(_("webhook secret"), max_length=128, default=_new_secret)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("messaging account")
        verbose_name_plural = _("messaging accounts")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TextMessage(models.Model):
    """One SMS or chat message, in or out. An inbound one from a number nobody has
    waits with status ``unknown`` for staff to link it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        RECEIVED = "received", _("Received")
        UNKNOWN = "unknown", _("Unknown sender")

    account = models.ForeignKey(MessagingAccount, on_delete=models.PROTECT, related_name="messages")
    direction = models.CharField(_("direction"), max_length=10)
    number = models.CharField(_("number"), max_length=20, db_index=True)
    body = models.TextField(_("text"))
    provider_id = models.CharField(max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    error = models.TextField(_("error"), blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="text_messages",
    )
    interaction = models.ForeignKey(
        "channels.Interaction", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("text message")
        verbose_name_plural = _("text messages")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "direction", "provider_id"],
                condition=~models.Q(provider_id=""),
                name="textmessage_provider_id_once",
            )
        ]
        indexes = [models.Index(fields=["status", "number"], name="textmessage_status")]

    def __str__(self) -> str:
        return f"{self.number}: {self.body[:40]}"
