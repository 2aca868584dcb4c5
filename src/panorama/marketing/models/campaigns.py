"""Marketing: segments (rules over customer data), static lists with their membership
history, message templates, campaigns and their per-recipient ledger."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Segment(models.Model):
    """A dynamic segment: ``rules`` (validated JSON, see ``marketing.rules``) compiled to
    one query over the customers the reader may see."""

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    rules = models.JSONField(_("rules"), default=dict)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )
    # Segment-level targeting: the higher the priority, the earlier its alerts and offers
    # on the ficha; ``team`` keeps it (and its alerts) to that team's sight; ``offers``
    # are the catalogue products its customers are eligible for.
    priority = models.PositiveSmallIntegerField(
        _("priority"),
        default=0,
        validators=[MaxValueValidator(100)],
        help_text=_("From 0 to 100: higher comes first on the ficha."),
    )
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("shown to the team"),
        help_text=_("Empty: the whole staff sees it."),
    )
    offers = models.ManyToManyField(
        "catalog.Product", blank=True, related_name="offer_segments", verbose_name=_("offers")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class StaticList(models.Model):
    """A fixed set of customers: a segment's snapshot or a hand selection."""

    name = models.CharField(_("name"), max_length=120)
    segment = models.ForeignKey(
        Segment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lists",
        verbose_name=_("from segment"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("static list")
        verbose_name_plural = _("static lists")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ListMembership(models.Model):
    """One stay of a customer in a list: joined, and left (None while he is in it). A
    customer who leaves and joins again gets a new row, so the rows are the history."""

    static_list = models.ForeignKey(StaticList, on_delete=models.CASCADE, related_name="members")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="list_memberships"
    )
    joined_at = models.DateTimeField(_("joined"))
    left_at = models.DateTimeField(_("left"), null=True, blank=True)

    class Meta:
        verbose_name = _("list membership")
        verbose_name_plural = _("list memberships")
        indexes = [models.Index(fields=["static_list", "left_at"], name="list_member_current")]
        constraints = [
            models.UniqueConstraint(
                fields=["static_list", "customer"],
                condition=models.Q(left_at__isnull=True),
                name="list_member_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} in {self.static_list_id}"


class MessageTemplate(models.Model):
    """An e-mail in both languages with merge fields (``{{ first_name }}``) and
    conditional blocks (``{% if "CARD-CR" in products %}``), checked when saved."""

    name = models.CharField(_("name"), max_length=120)
    subject_es = models.CharField(_("subject (Spanish)"), max_length=200)
    body_es = models.TextField(_("body (Spanish)"))
    subject_en = models.CharField(_("subject (English)"), max_length=200, blank=True)
    body_en = models.TextField(_("body (English)"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


AB_METRICS = [("opens", _("Opens")), ("clicks", _("Clicks"))]


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")
        CALL_LIST = "call_list", _("Call list")
        DIRECT_MAIL = "direct_mail", _("Direct mail")
        BANNER = "banner", _("Portal banner")

    class Programme(models.TextChoices):
        ACQUISITION = "acquisition", _("Acquisition")
        CROSS_SELL = "cross_sell", _("Cross-sell and up-sell")
        RETENTION = "retention", _("Retention")
        WIN_BACK = "win_back", _("Win-back")

    name = models.CharField(_("name"), max_length=150)
    objective = models.TextField(_("objective"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    channel = models.CharField(
        _("channel"), max_length=12, choices=Channel.choices, default=Channel.EMAIL
    )
    programme = models.CharField(
        _("programme"), max_length=12, choices=Programme.choices, default=Programme.ACQUISITION
    )
    segment = models.ForeignKey(
        Segment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("target segment"),
    )
    static_list = models.ForeignKey(
        StaticList,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("target list"),
    )
    template = models.ForeignKey(
        MessageTemplate,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("message"),
    )
    # SMS campaigns: the number (a channels messaging account) the texts go out from.
    sms_account = models.ForeignKey(
        "channels.MessagingAccount",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("SMS account"),
    )
    # Call lists: the sales script (argumentario) the agents read; none: the scripts
    # that fit each customer (sales.scripts.scripts_for).
    script = models.ForeignKey(
        "sales.Script",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("sales script"),
    )
    control_percent = models.PositiveSmallIntegerField(
        _("control group (%)"),
        default=10,
        validators=[MinValueValidator(0), MaxValueValidator(50)],
    )
    # The control group is drawn from this seed and each customer's id: the same
    # customers whenever it is drawn again.
    control_seed = models.PositiveIntegerField(_("control group seed"), default=0)
    offer_product_code = models.CharField(
        _("offered product code"),
        max_length=50,
        blank=True,
        help_text=_("A customer who takes this product after the launch counts as converted."),
    )
    budget = models.DecimalField(_("budget"), max_digits=12, decimal_places=2, default=Decimal(0))
    cost = models.DecimalField(_("cost"), max_digits=12, decimal_places=2, default=Decimal(0))
    scheduled_at = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    launched_at = models.DateTimeField(_("launched at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # A/B test: with two variants or more, ``ab_percent`` % of the target group (drawn
    # from ``control_seed``) gets one variant each; after ``ab_wait_hours`` the variant
    # with the best ``ab_metric`` rate is sent to the rest of the target group.
    ab_percent = models.PositiveSmallIntegerField(
        _("A/B test share (%)"),
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(50)],
        help_text=_("0: no test; the message goes to everyone."),
    )
    ab_metric = models.CharField(
        _("winner by"), max_length=8, choices=AB_METRICS, default="opens", blank=True
    )
    ab_wait_hours = models.PositiveSmallIntegerField(
        _("A/B test duration (hours)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(336)],
    )
    ab_decide_at = models.DateTimeField(_("winner chosen at"), null=True, blank=True)
    ab_winner = models.ForeignKey(
        "marketing.CampaignVariant",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("winning variant"),
    )

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(control_percent__lte=50), name="campaign_control_at_most_half"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Recipient(models.Model):
    """The campaign's ledger: one row per customer targeted, in the target or the control
    group, with what became of the message (sent, skipped and why, failed) and what the
    customer did (opened, clicked, unsubscribed, responded, converted)."""

    class Group(models.TextChoices):
        TARGET = "target", _("Target")
        CONTROL = "control", _("Control")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped")
        FAILED = "failed", _("Failed")
        BOUNCED = "bounced", _("Bounced")
        HELD = "held", _("Held back (control group)")
        WAITING = "waiting", _("Waiting for the A/B test's winner")
        CALLED = "called", _("Called")
        EXPORTED = "exported", _("Exported for mailing")
        COMPLAINED = "complained", _("Complained (marked as spam)")

    class Reason(models.TextChoices):
        NONE = "", "—"
        NO_CONSENT = "no_consent", _("No consent for marketing on this channel")
        NO_EMAIL = "no_email", _("No e-mail address")
        NO_PHONE = "no_phone", _("No phone number")
        NO_ADDRESS = "no_address", _("No postal address")
        MERGED = "merged", _("Customer merged away")
        SUPPRESSED = "suppressed", _("Address suppressed after a hard bounce")

    class CallOutcome(models.TextChoices):
        NONE = "", "—"
        REACHED = "reached", _("Reached")
        NO_ANSWER = "no_answer", _("No answer")
        CALL_BACK = "call_back", _("Call back later")
        NOT_INTERESTED = "not_interested", _("Not interested")
        INTERESTED = "interested", _("Interested")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="campaign_recipients"
    )
    group = models.CharField(_("group"), max_length=8, choices=Group.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    email = models.CharField(_("e-mail"), max_length=255, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # The Message-ID we gave the e-mail: a delivery report names it.
    message_id = models.CharField(_("message id"), max_length=255, blank=True, db_index=True)
    bounced_at = models.DateTimeField(_("bounced at"), null=True, blank=True)
    soft_bounced_at = models.DateTimeField(_("soft bounce at"), null=True, blank=True)
    variant = models.ForeignKey(
        "marketing.CampaignVariant",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recipients",
        verbose_name=_("A/B variant"),
    )
    # In the A/B test's share (sent its variant at once), not among those sent the winner.
    ab_tested = models.BooleanField(_("in the A/B test"), default=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    opens = models.PositiveIntegerField(_("opens"), default=0)
    clicked_at = models.DateTimeField(_("clicked at"), null=True, blank=True)
    clicks = models.PositiveIntegerField(_("clicks"), default=0)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    lead_id = models.PositiveBigIntegerField(_("lead"), null=True, blank=True)
    # A response recorded as an opportunity: won, it is the row's conversion and revenue.
    opportunity_id = models.PositiveBigIntegerField(_("opportunity"), null=True, blank=True)
    converted_at = models.DateTimeField(_("converted at"), null=True, blank=True)
    revenue = models.DecimalField(_("revenue"), max_digits=12, decimal_places=2, default=0)
    # SMS and call lists: the number used; direct mail: when the address was exported.
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    exported_at = models.DateTimeField(_("exported at"), null=True, blank=True)
    complained_at = models.DateTimeField(_("complained at"), null=True, blank=True)
    # Call lists: the agent who holds the call (or the call back), the outcome so far.
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("agent"),
    )
    calls = models.PositiveSmallIntegerField(_("calls"), default=0)
    call_outcome = models.CharField(
        _("call outcome"), max_length=16, choices=CallOutcome.choices, blank=True
    )
    called_at = models.DateTimeField(_("last called at"), null=True, blank=True)
    callback_at = models.DateTimeField(_("call back at"), null=True, blank=True)

    class Meta:
        verbose_name = _("campaign recipient")
        verbose_name_plural = _("campaign recipients")
        indexes = [
            models.Index(fields=["campaign", "status", "id"], name="recipient_campaign_status"),
            models.Index(fields=["customer", "-id"], name="recipient_customer"),
            models.Index(fields=["campaign", "agent", "status"], name="recipient_call_agent"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "customer"], name="recipient_once")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.customer_id} {self.status}"


class CampaignVariant(models.Model):
    """One version of an A/B-tested campaign: its own message, and optionally its own
    subject (both languages) instead of the message's."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="variants")
    label = models.CharField(_("label"), max_length=20)
    template = models.ForeignKey(
        MessageTemplate, on_delete=models.PROTECT, related_name="+", verbose_name=_("message")
    )
    subject = models.CharField(
        _("subject"),
        max_length=200,
        blank=True,
        help_text=_("Empty: the message's own subject."),
    )

    class Meta:
        verbose_name = _("A/B variant")
        verbose_name_plural = _("A/B variants")
        ordering = ["campaign", "label", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "label"], name="variant_label_once")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.label}"
