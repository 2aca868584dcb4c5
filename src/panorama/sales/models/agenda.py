"""The commercial agenda: calls, visits, meetings and tasks a rep plans and logs, and
the private calendar feed that puts them in his phone's calendar."""

import datetime
import hashlib

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Activity(models.Model):
    """One item of a rep's agenda. ``owner`` is whose agenda it is on (the scope: a rep
    sees his own, a manager his teams' members', an administrator all). It may point at
    a customer, a lead and an opportunity (explicit keys) and at any other record of the
    customer through ``related_type``/``related_id``; ``quote`` is the quote it is
    about (one the planner sees, of the same customer)."""

    class Kind(models.TextChoices):
        CALL = "call", _("Call")
        VISIT = "visit", _("Visit")
        MEETING = "meeting", _("Meeting")
        TASK = "task", _("Task")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.CALL)
    subject = models.CharField(_("subject"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="activities",
        verbose_name=_("owner"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("planned by"),
    )
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"),
        default=30,
        validators=[MinValueValidator(0), MaxValueValidator(24 * 60)],
    )
    reminder_minutes = models.PositiveIntegerField(
        _("reminder (minutes before)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(7 * 24 * 60)],
        help_text=_("Empty: no reminder."),
    )
    # starts_at - reminder_minutes, kept so the sweep finds due reminders by an index.
    remind_at = models.DateTimeField(_("remind at"), null=True, blank=True, editable=False)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    outcome = models.TextField(_("outcome"), blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="activities",
        verbose_name=_("customer"),
    )
    lead = models.ForeignKey(
        "sales.Lead",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agenda_items",
        verbose_name=_("lead"),
    )
    opportunity = models.ForeignKey(
        "sales.Opportunity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
        verbose_name=_("opportunity"),
    )
    quote = models.ForeignKey(
        "sales.Quote",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agenda_items",
        verbose_name=_("quote"),
    )
    # Any other record of the customer (an order...): "app_label.model" and id.
    related_type = models.ForeignKey(
        "contenttypes.ContentType",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    related_id = models.CharField(max_length=40, blank=True)
    # The timeline entry its outcome wrote.
    interaction = models.ForeignKey(
        "channels.Interaction",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["owner", "starts_at", "id"], name="activity_owner_day"),
            models.Index(fields=["status", "remind_at"], name="activity_reminder"),
            models.Index(fields=["customer", "starts_at"], name="activity_customer"),
            models.Index(fields=["opportunity"], name="activity_opportunity"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def ends_at(self) -> datetime.datetime:
        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.PLANNED


class CalendarFeed(models.Model):
    """A user's private calendar subscription: only the SHA-256 of its token is kept
    (the address is shown once); deleting the row revokes it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("prefix"), max_length=8)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id})"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
