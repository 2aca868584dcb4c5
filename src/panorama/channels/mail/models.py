"""Mailboxes and their sync ledger. Imported by ``channels/models.py`` so Django
registers them with the ``channels`` app."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Mailbox(models.Model):
    """An IMAP mailbox Panorama reads: a user's own, or shared (no owner). With
    ``creates_cases`` every message opens a case in ``queue`` or threads into one; with
    ``creates_leads`` it becomes a lead (``mail/leads.py``)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    address = models.EmailField(
        _("address"), help_text=_("The mailbox's own address: auto-replies come from it.")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mailboxes",
        verbose_name=_("owner"),
        help_text=_("Empty: a shared mailbox."),
    )
    host = models.CharField(_("IMAP host"), max_length=200)
    port = models.PositiveIntegerField(_("IMAP port"), default=993)
    use_ssl = models.BooleanField(_("SSL/TLS"), default=True)
    username = models.CharField(_("user name"), max_length=200)
    # Fernet ciphertext (mail/crypto.py): never shown back, never in an API answer.
    password_sealed = models.TextField(blank=True, editable=False)
    folder = models.CharField(_("folder"), max_length=200, default="INBOX")
    active = models.BooleanField(_("active"), default=True)
    poll_seconds = models.PositiveIntegerField(_("poll every (seconds)"), default=60)
    creates_cases = models.BooleanField(_("creates cases"), default=False)
    queue = models.ForeignKey(
        "service.Queue",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mailboxes",
        verbose_name=_("queue"),
    )
    creates_leads = models.BooleanField(
        _("creates leads"),
        default=False,
        help_text=_(
            "Each message becomes a lead (source e-mail) or a note on the sender's open lead."
        ),
    )
    receives_faxes = models.BooleanField(
        _("fax gateway mailbox"),
        default=False,
        help_text=_("Messages here are faxes: their PDF/TIFF attachment is the fax."),
    )
    auto_reply = models.BooleanField(_("auto-reply to new cases"), default=True)
    auto_reply_subject = models.CharField(_("auto-reply subject"), max_length=200, blank=True)
    auto_reply_body = models.TextField(_("auto-reply text"), blank=True)
    # Where polling stands (RFC 3501): UIDs are only meaningful under one UIDVALIDITY.
    uidvalidity = models.BigIntegerField(null=True, blank=True, editable=False)
    last_uid = models.BigIntegerField(default=0, editable=False)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    # Claimed by the poller that runs now (two workers never poll one mailbox at once).
    polling_since = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def has_password(self) -> bool:
        return bool(self.password_sealed)


class MailEntry(models.Model):
    """One line of a mailbox's sync ledger: a message seen, and what became of it.
    The raw message is kept, so nothing is lost and a failed one can be retried."""

    class Status(models.TextChoices):
        IMPORTED = "imported", _("Imported")
        UNKNOWN = "unknown", _("Unknown sender")
        SKIPPED = "skipped", _("Skipped")
        FAILED = "failed", _("Failed")

    class Reason(models.TextChoices):
        NONE = "", _("None")
        DUPLICATE = "duplicate", _("Duplicate")
        AUTO_SUBMITTED = "auto_submitted", _("Automatic message (loop protection)")
        OWN_ADDRESS = "own_address", _("Sent by one of our mailboxes (loop protection)")
        NO_SENDER = "no_sender", _("No sender address")
        AMBIGUOUS = "ambiguous", _("Several customers share the address")
        BOUNCE = "bounce", _("Delivery report of a message we sent")
        FAX = "fax", _("Fax")
        ERROR = "error", _("Error")

    mailbox = models.ForeignKey(
        Mailbox,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="entries",
        verbose_name=_("mailbox"),
    )
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    uid = models.BigIntegerField(null=True, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=500, db_index=True)
    in_reply_to = models.CharField(max_length=500, blank=True)
    references = models.TextField(blank=True)
    from_address = models.CharField(_("from"), max_length=320, blank=True, db_index=True)
    from_name = models.CharField(max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    size = models.PositiveIntegerField(_("size"), default=0)
    raw = models.FileField(upload_to="mail/raw/%Y/%m/", blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices, blank=True)
    detail = models.TextField(_("detail"), blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mail_entries",
        verbose_name=_("customer"),
    )
    interaction = models.ForeignKey(
        "channels.Interaction", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    case = models.ForeignKey(
        "service.Case",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mail_entries",
        verbose_name=_("case"),
    )
    lead = models.ForeignKey(
        "sales.Lead",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mail_entries",
        verbose_name=_("lead"),
    )
    # The Message-ID of the auto-reply sent for it: the customer's answer names it.
    reply_message_id = models.CharField(max_length=500, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mail ledger entry")
        verbose_name_plural = _("mail ledger entries")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "uidvalidity", "uid"],
                condition=models.Q(uid__isnull=False),
                name="mailentry_uid_once",
            )
        ]
        indexes = [
            models.Index(fields=["mailbox", "-id"], name="mailentry_ledger"),
            models.Index(fields=["status", "from_address"], name="mailentry_status"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} ({self.status})"


class MailAttachment(models.Model):
    """A file of an imported message, stored under MEDIA; one above the size limit is
    listed (name, type, size) without its content, which stays in the raw message."""

    entry = models.ForeignKey(MailEntry, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    file = models.FileField(upload_to="mail/attachments/%Y/%m/", blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("mail attachment")
        verbose_name_plural = _("mail attachments")
        ordering = ["entry", "id"]

    def __str__(self) -> str:
        return self.filename

    @property
    def stored(self) -> bool:
        return bool(self.file)
