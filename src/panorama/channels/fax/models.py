"""Fax, a first-class channel: every fax in (from the fax gateway's mailbox, an upload
or the API) or out (through the e-mail-to-fax gateway), its document and its preview.
Imported by ``channels/models.py``."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Fax(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        UNKNOWN = "unknown", _("Unknown sender")
        SENT = "sent", _("Sent to the gateway")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    direction = models.CharField(_("direction"), max_length=10)
    number = models.CharField(_("number"), max_length=20, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    document = models.FileField(_("document"), upload_to="fax/%Y/%m/")
    content_type = models.CharField(_("type"), max_length=50)
    pages = models.PositiveIntegerField(_("pages"), default=1)
    preview = models.ImageField(upload_to="fax/previews/%Y/%m/", blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    error = models.TextField(_("error"), blank=True)
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="faxes"
    )
    interaction = models.ForeignKey(
        "channels.Interaction", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    case = models.ForeignKey(
        "service.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="faxes"
    )
    mail_entry = models.ForeignKey(
        "channels.MailEntry", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("fax")
        verbose_name_plural = _("faxes")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.number}"
