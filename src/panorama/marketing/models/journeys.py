"""Journeys (autoresponders): a trigger, then steps in order. Each customer who enters
has an ``Enrolment``: the next step to run and when, advanced by the worker's sweep.

A branch step splits the road in two: its ``yes`` and ``no`` paths are steps whose
``parent`` is the branch (in order of ``position`` on their path); a path that ends goes
on with the step after its branch. Steps only point up to an earlier branch, so a
journey is a tree: no road loops."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Journey(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")

    class Trigger(models.TextChoices):
        LIST_JOINED = "list_joined", _("Joined a list")
        CONFIRMED = "confirmed", _("Confirmed a sign-up (double opt-in)")
        EVENT = "event", _("An event")
        BIRTHDAY = "birthday", _("The customer's birthday")
        HOLDING_END = "holding_end", _("A product held is about to end")

    name = models.CharField(_("name"), max_length=120)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    trigger = models.CharField(_("trigger"), max_length=12, choices=Trigger.choices)
    trigger_list = models.ForeignKey(
        "marketing.StaticList",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="journeys",
        verbose_name=_("list"),
    )
    trigger_form = models.ForeignKey(
        "marketing.SignupForm",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="journeys",
        verbose_name=_("sign-up form"),
    )
    trigger_event = models.CharField(_("event"), max_length=60, blank=True)
    trigger_days = models.PositiveSmallIntegerField(
        _("days before the end"),
        null=True,
        blank=True,
        help_text=_("A product held is about to end: it ends within these days."),
    )
    # The day the dated triggers (birthday, holding end) were last looked at: once a day.
    dates_checked_on = models.DateField(_("dates checked on"), null=True, blank=True)
    allow_reentry = models.BooleanField(
        _("a customer may go through it again"),
        default=False,
        help_text=_("Otherwise a customer enters this journey once."),
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
        verbose_name = _("journey")
        verbose_name_plural = _("journeys")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["status", "trigger"], name="journey_trigger")]

    def __str__(self) -> str:
        return self.name


class JourneyStep(models.Model):
    class Kind(models.TextChoices):
        WAIT = "wait", _("Wait")
        SEND = "send", _("Send an e-mail")
        CONDITION = "condition", _("Continue only if in a segment")
        ADD_TO_LIST = "add_to_list", _("Add to a list")
        TASK = "task", _("Task for the customer's manager")
        ALERT = "alert", _("Alert for the customer's manager")
        BRANCH = "branch", _("Branch: wait until the customer opens, clicks or buys, or N days")

    class Path(models.TextChoices):
        MAIN = "", _("Main road")
        YES = "yes", _("Yes")
        NO = "no", _("No")

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="steps")
    # The branch whose yes or no path the step is on (None and "": the main road).
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        verbose_name=_("branch step"),
    )
    path = models.CharField(_("path"), max_length=3, choices=Path.choices, blank=True, default="")
    position = models.PositiveIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # wait: {"days"}; send: {"template"}; condition: {"segment", "negate"};
    # add_to_list: {"list"}; task: {"subject", "in_days"}; alert: {"title"};
    # branch: {"test": opened | clicked | bought, "days"} (waits until the test is met,
    # then the yes path, or the days, then the no path).
    config = models.JSONField(_("settings"), default=dict)

    class Meta:
        verbose_name = _("journey step")
        verbose_name_plural = _("journey steps")
        ordering = ["journey", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(parent__isnull=True, path="")
                | models.Q(parent__isnull=False, path__in=["yes", "no"]),
                name="journeystep_path_of_its_branch",
            )
        ]

    def __str__(self) -> str:
        return f"{self.journey_id}#{self.position} {self.kind}"


class Enrolment(models.Model):
    """A customer's way through a journey: ``step`` is the next step to run (None once
    finished), ``due_at`` when; ``log`` what each step did."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("In progress")
        DONE = "done", _("Finished")
        EXITED = "exited", _("Left early")

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="enrolments")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="journey_enrolments"
    )
    step = models.ForeignKey(
        JourneyStep,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enrolments",
        verbose_name=_("next step"),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE
    )
    exit_reason = models.CharField(_("why it left"), max_length=200, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    log = models.JSONField(_("history"), default=list)
    # What a dated trigger enrolled the customer for: the year of a birthday, the id of
    # the holding about to end (empty for the other triggers). Once per occurrence.
    occurrence = models.CharField(_("occurrence"), max_length=20, blank=True, default="")
    # Since when the customer waits at a branch before its test (None: not waiting).
    branch_since = models.DateTimeField(_("waiting at the branch since"), null=True, blank=True)

    class Meta:
        verbose_name = _("journey enrolment")
        verbose_name_plural = _("journey enrolments")
        ordering = ["-entered_at", "-id"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="enrolment_due"),
            models.Index(fields=["customer", "journey"], name="enrolment_customer"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["journey", "customer"],
                condition=models.Q(status="active"),
                name="enrolment_once_at_a_time",
            ),
            models.UniqueConstraint(
                fields=["journey", "customer", "occurrence"],
                condition=~models.Q(occurrence=""),
                name="enrolment_once_per_occurrence",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} in {self.journey_id} ({self.status})"


class JourneyMessage(models.Model):
    """An e-mail a journey sent a customer, with its first open and first click (its
    signed pixel and links): what a branch on "opened" or "clicked" reads."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="messages")
    step = models.ForeignKey(
        JourneyStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"))
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    clicked_at = models.DateTimeField(_("clicked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("journey e-mail")
        verbose_name_plural = _("journey e-mails")
        indexes = [models.Index(fields=["enrolment", "-sent_at"], name="journeymessage_latest")]

    def __str__(self) -> str:
        return f"{self.enrolment_id} {self.sent_at:%Y-%m-%d}"
