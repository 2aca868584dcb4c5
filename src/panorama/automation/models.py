"""Business rules and their runs, alerts and who saw them, tracked web sites, visitors
and their events."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Rule(models.Model):
    """Trigger → conditions → actions, edited by administrators (``services.rules``
    validates the JSON of ``conditions`` and ``actions`` on every save)."""

    class Trigger(models.TextChoices):
        EVENT = "event", _("A domain event")
        SCHEDULE = "schedule", _("Every day at a time")

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    trigger = models.CharField(
        _("trigger"), max_length=10, choices=Trigger.choices, default=Trigger.EVENT
    )
    event = models.CharField(_("event"), max_length=80, blank=True)
    schedule_time = models.TimeField(_("time of day"), null=True, blank=True)
    conditions = models.JSONField(_("conditions"), default=dict, blank=True)
    actions = models.JSONField(_("actions"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    last_scheduled_on = models.DateField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        indexes = [models.Index(fields=["active", "trigger", "event"])]

    def __str__(self) -> str:
        return self.name


class RuleRun(models.Model):
    """A rule that matched (or was stopped at the depth limit): why, what it did, what
    failed (an event's misses are in ``EventCheck``). ``key``
    (``event:<id>`` or ``schedule:<day>:<customer>``) makes a redelivered event a no-op."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="runs")
    key = models.CharField(max_length=80)
    event = models.CharField(_("event"), max_length=80, blank=True)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    matched = models.BooleanField(_("matched"))
    explanation = models.JSONField(_("explanation"), default=list, blank=True)
    actions_done = models.JSONField(_("actions done"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("rule run")
        verbose_name_plural = _("rule runs")
        constraints = [models.UniqueConstraint(fields=["key", "rule"], name="rulerun_once")]
        indexes = [models.Index(fields=["rule", "-at"])]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.key}"


class EventCheck(models.Model):
    """One event evaluated against the rules on it: the rules that did not match and
    why (``misses``: rule id → lines). Matched rules each have a ``RuleRun``. One row
    per event, not one per rule: with 50 rules on an event the log stays small."""

    key = models.CharField(max_length=80, unique=True)
    event = models.CharField(_("event"), max_length=80)
    # The event's customer id as it said (no foreign key: the check is a log, written
    # without loading the customer, and outlives him).
    customer_id = models.BigIntegerField(null=True, blank=True)
    misses = models.JSONField(default=dict, blank=True)
    depth = models.PositiveSmallIntegerField(default=0)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["event", "-id"])]

    def __str__(self) -> str:
        return self.key


class Alert(models.Model):
    """Something a person must know about a customer, for his owner or a team."""

    class Priority(models.IntegerChoices):
        LOW = 1, _("Low")
        NORMAL = 2, _("Normal")
        HIGH = 3, _("High")

    # No single-column index on customer, user, team or rule: the customer's and the
    # user's lists lead the two indexes below, and team and rule have partial ones
    # (most alerts name neither). Each index is one more entry per alert written: the
    # SLA sweep raises 30,000 after an outage.
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="alerts", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alerts",
        verbose_name=_("for"),
        db_index=False,
    )
    team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alerts",
        db_index=False,
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("detail"), blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    rule = models.ForeignKey(
        Rule,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alerts",
        db_index=False,
    )
    # What raised it ("rule:<id>:event:<id>"...): a redelivered event raises it once.
    source = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["source"], condition=~models.Q(source=""), name="alert_source_once"
            )
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"]),
            models.Index(fields=["customer", "-created_at"]),
            models.Index(fields=["team"], name="alert_team", condition=Q(team__isnull=False)),
            models.Index(fields=["rule"], name="alert_rule", condition=Q(rule__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.title


class AlertSeen(models.Model):
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="seen")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alert", "user"], name="alert_seen_once")]

    def __str__(self) -> str:
        return f"{self.alert_id} seen by {self.user_id}"


class DigestSent(models.Model):
    """The morning digest went to ``user`` on ``day`` (sent once a day)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_once")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"


def _public_key() -> str:
    return "pk_" + secrets.token_urlsafe(18)


class TrackedSite(models.Model):
    """A web site carrying the tracking snippet: its public key and allowed origins."""

    name = models.CharField(_("name"), max_length=120)
    public_key = models.CharField(_("public key"), max_length=40, unique=True, default=_public_key)
    origins = models.TextField(
        _("allowed origins"), help_text=_("One per line, e.g. https://www.bank.example")
    )
    require_consent = models.BooleanField(
        _("cookie only after consent"),
        default=True,
        help_text=_("The snippet sets no cookie until the page calls panorama('consent')."),
    )
    rate_per_minute = models.PositiveIntegerField(
        _("requests a minute per address"),
        default=600,
        help_text=_("Beyond it the endpoint answers 429 until the next minute."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("tracked web site")
        verbose_name_plural = _("tracked web sites")

    def __str__(self) -> str:
        return self.name

    def origin_list(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.origins.splitlines() if o.strip()]


class WebVisitor(models.Model):
    """A first-party cookie id of a site, linked to a customer once he is known."""

    site = models.ForeignKey(TrackedSite, on_delete=models.CASCADE, related_name="visitors")
    cookie_id = models.CharField(max_length=64)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="web_visitors",
    )
    identified_at = models.DateTimeField(null=True, blank=True)
    identified_by = models.CharField(max_length=20, blank=True)  # link, form, chat, portal
    first_seen = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "cookie_id"], name="visitor_cookie_once")
        ]

    def __str__(self) -> str:
        return self.cookie_id


class WebEvent(models.Model):
    """A page view or a named event. Appended in batches; ``summarised`` once it is on
    the customer's timeline (one entry per customer and day, not one per page)."""

    site = models.ForeignKey(TrackedSite, on_delete=models.CASCADE, related_name="+")
    cookie_id = models.CharField(max_length=64)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="web_events",
    )
    name = models.CharField(max_length=60)  # page_view or the page's own name
    url = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()
    summarised = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["site", "cookie_id"]),
            models.Index(
                fields=["customer", "at"],
                condition=models.Q(summarised=False, customer__isnull=False),
                name="webevent_to_summarise",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.cookie_id}"
