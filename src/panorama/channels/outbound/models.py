"""Outbound e-mail: who we send as (sending identities), what we send (templates in
Spanish and English) and what was sent (kept with its Message-ID, so the customer's
reply threads and a bounce finds it). Imported by ``channels/models.py``."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SendingIdentity(models.Model):
    """An address staff send from: a user's own (``owner`` set: only he uses it) or
    shared (no owner: the ``users`` listed, or every user who may send when empty)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    from_address = models.EmailField(_("from address"))
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    signature = models.TextField(_("signature"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sending_identities",
        verbose_name=_("owner"),
        help_text=_("Empty: a shared identity."),
    )
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="shared_sending_identities",
        verbose_name=_("users"),
        help_text=_("Who may send from a shared identity (empty: everyone who sends mail)."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sending identity")
        verbose_name_plural = _("sending identities")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.display_name} <{self.from_address}>" if self.display_name else self.name

    @property
    def shared(self) -> bool:
        return self.owner_id is None


class MailTemplate(models.Model):
    """A message to start from, in one language; Django template syntax with
    ``customer`` and ``user`` in its context."""

    class Language(models.TextChoices):
        ES = "es", _("Spanish")
        EN = "en", _("English")

    name = models.CharField(_("name"), max_length=100)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("e-mail template")
        verbose_name_plural = _("e-mail templates")
        ordering = ["name", "language"]
        constraints = [
            models.UniqueConstraint(fields=["name", "language"], name="mailtemplate_name_language")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"


class SentMail(models.Model):
    """One message sent to a customer, tracked: sent, failed (the server refused it) or
    bounced (a delivery report came back through an inbound mailbox)."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        BOUNCED = "bounced", _("Bounced")

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="sent_mails"
    )
    identity = models.ForeignKey(
        SendingIdentity, on_delete=models.PROTECT, related_name="sent", verbose_name=_("from")
    )
    to_address = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    template = models.ForeignKey(
        MailTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message_id = models.CharField(_("Message-ID"), max_length=500, unique=True)
    in_reply_to = models.CharField(max_length=500, blank=True)
    references = models.TextField(blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    error = models.TextField(_("error"), blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    interaction = models.ForeignKey(
        "channels.Interaction", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    bounced_at = models.DateTimeField(_("bounced"), null=True, blank=True)

    class Meta:
        verbose_name = _("sent e-mail")
        verbose_name_plural = _("sent e-mails")
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to_address}"
