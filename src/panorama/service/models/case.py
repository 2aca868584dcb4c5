from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from panorama.channels.models import Interaction


class Queue(models.Model):
    """Where cases wait for an agent: members with skills, cases routed to the least
    loaded member who has the skill a case needs."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    members: models.ManyToManyField = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="QueueMember",
        related_name="service_queues",
        verbose_name=_("members"),
    )

    class Meta:
        verbose_name = _("queue")
        verbose_name_plural = _("queues")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class QueueMember(models.Model):
    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="queue_memberships"
    )
    # Free codes ("billing", "fibre", "english"): a case needing one goes to members having it.
    skills = models.JSONField(_("skills"), default=list, blank=True)
    active = models.BooleanField(_("taking cases"), default=True)

    class Meta:
        verbose_name = _("queue member")
        verbose_name_plural = _("queue members")
        constraints = [
            models.UniqueConstraint(fields=["queue", "user"], name="queue_member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.queue}"

    def skill_list(self) -> list[str]:
        return [str(s).strip().lower() for s in self.skills or [] if str(s).strip()]


class Case(models.Model):
    """A customer's question, incident, complaint or request, from any channel, until it
    is resolved and closed. A case is visible to whoever sees its customer."""

    class Type(models.TextChoices):
        QUESTION = "question", _("Question")
        INCIDENT = "incident", _("Incident")
        COMPLAINT = "complaint", _("Complaint")
        REQUEST = "request", _("Request")

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        OPEN = "open", _("Open")
        WAITING = "waiting", _("Waiting on customer")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")

    OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.WAITING, Status.REOPENED)

    # "C-000123", set from the id once the row exists. Unique through a constraint, not
    # ``unique=True``: that also builds a ``varchar_pattern_ops`` index on PostgreSQL
    # (for LIKE 'x%', which no code runs), one more entry for each escalation to write.
    reference = models.CharField(
        _("reference"), max_length=20, null=True, blank=True, editable=False
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="cases",
        verbose_name=_("customer"),
        db_index=False,  # case_customer leads with it (each index costs every SLA UPDATE)
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    type = models.CharField(_("type"), max_length=10, choices=Type.choices, default=Type.QUESTION)
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    channel = models.CharField(_("channel"), max_length=12, choices=Interaction.Channel.choices)
    product = models.ForeignKey(
        "catalog.Product",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        verbose_name=_("product"),
        db_index=False,  # case_product: partial, only the cases that have one
    )
    asset = models.ForeignKey(
        "service.Asset",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        verbose_name=_("asset"),
        db_index=False,  # case_asset: partial, only the cases that have one
    )
    queue = models.ForeignKey(
        Queue,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("queue"),
        db_index=False,  # case_queue leads with it
    )
    skill = models.CharField(_("skill needed"), max_length=40, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_cases",
        verbose_name=_("owner"),
        db_index=False,  # case_owner leads with it
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # case_created_by: partial, only the cases that have one
    )
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    # The service level (services/sla.py): due times in business hours, set on open and
    # shifted by the business time spent waiting on the customer (the clock's pause).
    sla_policy = models.ForeignKey(
        "service.SlaPolicy",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        verbose_name=_("SLA policy"),
    )
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    sla_paused_at = models.DateTimeField(_("clock paused since"), null=True, blank=True)
    sla_paused_minutes = models.PositiveIntegerField(_("business minutes paused"), default=0)
    # The sweep (services/escalation.py): once per case before a breach, once per breach.
    sla_warned_at = models.DateTimeField(_("warned of a breach at"), null=True, blank=True)
    response_escalated_at = models.DateTimeField(
        _("first response breach escalated at"), null=True, blank=True
    )
    resolution_escalated_at = models.DateTimeField(
        _("resolution breach escalated at"), null=True, blank=True
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["queue", "status", "-created_at"], name="case_queue"),
            models.Index(fields=["owner", "status"], name="case_owner"),
            models.Index(fields=["customer", "status"], name="case_customer"),
            models.Index(fields=["status", "-created_at"], name="case_status"),
            models.Index(fields=["status", "resolution_due"], name="case_sla_due"),
            # The warehouse refresh reads the rows changed since its last load by it.
            models.Index(fields=["updated_at"], name="case_updated"),
            # Partial: a case without a product, asset or author has no entry to write,
            # at its creation or at each UPDATE that moves it (the SLA sweep's escalations
            # change its queue and owner, so PostgreSQL writes every index again).
            models.Index(
                fields=["product"], name="case_product", condition=Q(product__isnull=False)
            ),
            models.Index(fields=["asset"], name="case_asset", condition=Q(asset__isnull=False)),
            models.Index(
                fields=["created_by"],
                name="case_created_by",
                condition=Q(created_by__isnull=False),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["reference"], name="case_reference_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.reference or self.pk} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class CaseMessage(models.Model):
    """What was said on a case: a reply to the customer, the customer's own message, or
    an internal note the customer never sees. Replies and customer messages are also on
    the customer's timeline (``interaction``)."""

    class Kind(models.TextChoices):
        REPLY = "reply", _("Reply to the customer")
        CUSTOMER = "customer", _("Message from the customer")
        NOTE = "note", _("Internal note")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    body = models.TextField(_("message"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    interaction = models.ForeignKey(
        "channels.Interaction",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # A reply goes out on the customer's channel after the commit (services/reply.py):
    # how that went, kept on the message and shown on the case. Blank: nothing to send
    # (a note, the customer's own message).
    class Delivery(models.TextChoices):
        PENDING = "pending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Not sent: failed")
        NO_ADDRESS = "no_address", _("Not sent: no address")

    delivery = models.CharField(
        _("delivery"), max_length=10, choices=Delivery.choices, blank=True, default=""
    )
    delivery_error = models.TextField(_("delivery error"), blank=True)
    sent_mail = models.ForeignKey(
        "channels.SentMail",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("e-mail sent"),
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("case message")
        verbose_name_plural = _("case messages")
        ordering = ["case", "created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="casemessage_case")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


def _attachment_path(instance: "CaseAttachment", filename: str) -> str:
    return f"service/cases/{instance.message.case_id}/{filename}"


class CaseAttachment(models.Model):
    """A file an agent attached to a reply or a note, kept with the message; a reply's
    go out with its e-mail. Downloaded only by who sees the case, until removed."""

    message = models.ForeignKey(CaseMessage, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=300)
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    created_at = models.DateTimeField(auto_now_add=True)
    # Removed by an agent (attached by mistake): no longer listed nor downloadable, the
    # file kept in storage; who and when stay here and on the timeline.
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("removed by"),
    )

    class Meta:
        verbose_name = _("case attachment")
        verbose_name_plural = _("case attachments")
        ordering = ["message", "id"]

    def __str__(self) -> str:
        return self.filename
