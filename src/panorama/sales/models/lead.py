from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Lead(models.Model):
    """Someone who may become a customer, before he is one: captured from a web form,
    an e-mail, an import, the API or by hand; qualified, scored, assigned, and finally
    converted into a customer (found through ``identify`` or created) and an
    opportunity. ``customer`` and ``opportunity`` point at what the conversion made."""

    class Source(models.TextChoices):
        WEB_FORM = "web_form", _("Web form")
        EMAIL = "email", _("E-mail")
        IMPORT = "import", _("Import")
        API = "api", _("API")
        MANUAL = "manual", _("Manual")
        PHONE = "phone", _("Phone")
        EVENT = "event", _("Event")
        PARTNER = "partner", _("Partner")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        WORKING = "working", _("Working")
        QUALIFIED = "qualified", _("Qualified")
        DISQUALIFIED = "disqualified", _("Disqualified")
        CONVERTED = "converted", _("Converted")

    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    source = models.CharField(
        _("source"), max_length=12, choices=Source.choices, default=Source.MANUAL
    )
    status = models.CharField(
        _("status"), max_length=14, choices=Status.choices, default=Status.NEW
    )
    disqualify_reason = models.CharField(_("why it was disqualified"), max_length=200, blank=True)
    score = models.IntegerField(_("score"), default=0)
    # Which scoring rule gave how many points: [{"rule": name, "points": n, "why": text}].
    score_explanation = models.JSONField(_("score explanation"), default=list, blank=True)
    # Which assignment rule chose the owner or team, in words (empty: assigned by hand).
    assignment_note = models.CharField(_("assignment"), max_length=300, blank=True)
    web_form = models.ForeignKey(
        "sales.WebForm",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
        verbose_name=_("web form"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
        verbose_name=_("owner"),
    )
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
        verbose_name=_("team"),
    )
    # What the form, the e-mail or the file said beyond the fields above.
    data = models.JSONField(_("other data"), default=dict, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
        verbose_name=_("customer"),
    )
    opportunity = models.ForeignKey(
        "sales.Opportunity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
        verbose_name=_("opportunity"),
    )
    lead_import = models.ForeignKey(
        "sales.LeadImport",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
        verbose_name=_("import"),
    )
    converted_at = models.DateTimeField(_("converted at"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "status"], name="lead_owner"),
            models.Index(fields=["team", "status"], name="lead_team"),
            models.Index(fields=["status", "-created_at"], name="lead_status"),
            models.Index(fields=["email"], name="lead_email"),
        ]

    def __str__(self) -> str:
        return self.name

    OPEN_STATUSES = (Status.NEW, Status.WORKING, Status.QUALIFIED)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def email_domain(self) -> str:
        return self.email.rpartition("@")[2] if "@" in self.email else ""

    @property
    def name(self) -> str:
        person = " ".join(p for p in (self.first_name, self.last_name) if p)
        return person or self.company or self.email or self.phone or f"#{self.pk}"


class LeadActivity(models.Model):
    """Something that happened to a lead before it became a customer: a web visit, an
    e-mail reply, a call, a status change... Behaviour rules score on these, and the
    conversion lists them on the customer's timeline."""

    class Kind(models.TextChoices):
        CAPTURED = "captured", _("Captured")
        WEB_VISIT = "web_visit", _("Web visit")
        EMAIL_REPLY = "email_reply", _("E-mail reply")
        EMAIL_OPEN = "email_open", _("E-mail opened")
        CALL = "call", _("Call")
        MEETING = "meeting", _("Meeting")
        NOTE = "note", _("Note")
        STATUS = "status", _("Status change")
        ASSIGNED = "assigned", _("Assignment")

    # What a person or a tracker records; the others are written by the services.
    RECORDABLE = (
        Kind.WEB_VISIT,
        Kind.EMAIL_REPLY,
        Kind.EMAIL_OPEN,
        Kind.CALL,
        Kind.MEETING,
        Kind.NOTE,
    )

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("lead activity")
        verbose_name_plural = _("lead activities")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["lead", "-at"], name="lead_activity_lead")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.detail}".strip()
