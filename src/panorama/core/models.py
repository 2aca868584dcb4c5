"""Cross-cutting records every app reuses: field history, the audit log, saved views
and the transactional outbox of domain events."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FieldChange(models.Model):
    """One field of one record changed: who, when, old → new.

    ``customer_id`` is denormalised so the ficha can show the history of a customer
    and everything attached to it (identities, addresses...) in one indexed query.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    customer_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    field = models.CharField(_("field"), max_length=100)
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("field change")
        verbose_name_plural = _("field history")
        indexes = [models.Index(fields=["content_type", "object_id", "-changed_at"])]
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.object_id}.{self.field} at {self.changed_at:%Y-%m-%d %H:%M}"


class AuditEvent(models.Model):
    class Kind(models.TextChoices):
        LOGIN = "login", _("Login")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOGIN_THROTTLED = "login_throttled", _("Login refused: too many failures")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        LOGOUT = "logout", _("Logout")
        EXPORT = "export", _("Export")
        TOKEN_CREATED = "token_created", _("API token created")
        TOKEN_REVOKED = "token_revoked", _("API token revoked")
        USER_CREATED = "user_created", _("User created")
        USER_CHANGED = "user_changed", _("User changed")
        USER_DEACTIVATED = "user_deactivated", _("User deactivated")
        USER_REACTIVATED = "user_reactivated", _("User reactivated")
        TEAM_CREATED = "team_created", _("Team created")
        TEAM_CHANGED = "team_changed", _("Team changed")
        CUSTOM_FIELD_CREATED = "custom_field_created", _("Custom field created")
        CUSTOM_FIELD_CHANGED = "custom_field_changed", _("Custom field changed")
        STOCK_ADJUSTED = "stock_adjusted", _("Stock count adjusted")

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.username} at {self.at:%Y-%m-%d %H:%M}"


class SavedView(models.Model):
    """A named state of a list (its search, filters, sort and columns as a query
    string), shown as a tab above the list: its owner's, everyone's when shared, or
    the members' and managers' of one team when shared with it."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_views",
        verbose_name=_("owner"),
    )
    list_name = models.CharField(_("list"), max_length=40)
    name = models.CharField(_("name"), max_length=60)
    query = models.CharField(_("filters, sort and columns"), max_length=2000, blank=True)
    shared = models.BooleanField(_("shared with everyone"), default=False)
    # Shown to the members and the managers of this team (besides its owner); a team
    # deleted makes the view its owner's again.
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("shared with the team"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        indexes = [models.Index(fields=["list_name", "shared"], name="savedview_list_shared")]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "list_name", "name"], name="savedview_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ListPreference(models.Model):
    """What a user chose for one list: the saved view it opens with."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="list_preferences"
    )
    list_name = models.CharField(max_length=40)
    default_view = models.ForeignKey(
        SavedView, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "list_name"], name="listpreference_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.list_name}"


class BulkJob(models.Model):
    """A bulk action over more rows than a request should wait for, run by the task
    worker: each row through the app's service, progress counted as it goes, every
    refused row kept with its reason. Its user follows it on the list (polled)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bulk_jobs"
    )
    list_name = models.CharField(_("list"), max_length=40)
    action = models.CharField(_("action"), max_length=40)
    action_label = models.CharField(_("action"), max_length=200)
    raw_value = models.CharField(_("value"), max_length=200, blank=True)
    query = models.CharField(_("filters, sort and columns"), max_length=2000, blank=True)
    ids = models.JSONField(_("selected rows"), default=list, blank=True)
    everything = models.BooleanField(_("every matching row"), default=False)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    total = models.PositiveIntegerField(_("rows"), default=0)
    done = models.PositiveIntegerField(_("rows changed"), default=0)
    refused = models.JSONField(_("rows refused"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    last_pk = models.BigIntegerField(
        default=0
    )  # the last row handled: a resumed job goes on after it
    process = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # An export's file (default storage, a random name), downloadable by ``user`` only
    # until ``EXPORT_TTL`` after ``finished_at``, then deleted (core.lists.actions).
    file = models.CharField(_("file"), max_length=300, blank=True)
    # An undoable action: each changed row as it was and as the action left it
    # (pk → {"before": …, "after": …}), and the job that undid it (at most one).
    undo_data = models.JSONField(_("values before"), default=dict, blank=True)
    undo_of = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="undone_by",
        verbose_name=_("undoes"),
    )

    class Meta:
        verbose_name = _("bulk action")
        verbose_name_plural = _("bulk actions")

    def __str__(self) -> str:
        return f"{self.action_label} ({self.done}/{self.total})"

    @property
    def deleted_rows(self) -> bool:
        """Its rows were deleted: a *Delete* (``core.lists.actions.DELETE``), not its undo,
        which puts them back."""
        return self.action == "delete" and self.undo_of_id is None

    @property
    def handled(self) -> int:
        return self.done + len(self.refused)

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, round(100 * self.handled / self.total))

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def downloadable(self) -> bool:
        from panorama.core.lists.jobs import export_expired

        return bool(self.file) and self.status == self.Status.DONE and not export_expired(self)

    @property
    def undoable(self) -> bool:
        """Finished, changed rows it kept the values of, and not undone yet."""
        if not (self.finished and self.undo_data) or self.undo_of_id:
            return False
        return not BulkJob.objects.filter(undo_of=self).exists()


class OutboxEvent(models.Model):
    """A domain event written in the same transaction as the change that emitted it (the
    transactional outbox): it exists exactly when the change committed. The dispatcher
    delivers it to every durable subscriber at least once (``core.events``)."""

    id = models.BigAutoField(primary_key=True)
    name = models.CharField(_("event"), max_length=100)
    payload = models.JSONField(_("payload"), default=dict)
    created_at = models.DateTimeField(_("emitted at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")

    def __str__(self) -> str:
        return f"{self.pk} {self.name}"


class OutboxDelivery(models.Model):
    """One event to deliver to one durable subscriber: written with the event, marked
    delivered when the subscriber's handler succeeded (in the same transaction as what the
    handler wrote), retried with a growing wait when it failed, until ``MAX_ATTEMPTS``
    (then ``gave_up``, for a person to see in the admin)."""

    id = models.BigAutoField(primary_key=True)
    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.CharField(_("subscriber"), max_length=100)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    gave_up = models.BooleanField(_("gave up"), default=False)
    error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outbox delivery")
        verbose_name_plural = _("outbox deliveries")
        indexes = [
            models.Index(
                fields=["subscriber", "next_attempt_at"],
                name="outbox_pending",
                condition=models.Q(delivered_at__isnull=True, gave_up=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.subscriber}: {self.event_id}"
