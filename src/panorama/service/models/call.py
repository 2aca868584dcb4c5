"""Call management: the PBXs that send call events, the agents' extensions, the calls
themselves, the screen-pop notifications waiting for an agent's browser, and callback
requests ("call me back between 16:00 and 18:00")."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


def _new_token() -> str:
    return secrets.token_urlsafe(24)


class Pbx(models.Model):
    """A telephone exchange (Asterisk, FreeSWITCH, a cloud PBX) that posts call events
    to ``/api/v1/telephony/<id>/events`` signed with its ``secret`` (docs/pbx.md) and
    takes click-to-call requests at ``outbound_url``."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    # Kept as typed: the HMAC of a request can only be checked with the key itself. It is
    # compared in constant time (hmac.compare_digest) and never shown outside the admin.
    secret = models.CharField(_("shared secret"), max_length=128, default=_new_secret)
    outbound_url = models.URLField(
        _("click-to-call URL"),
        blank=True,
        help_text=_("Where Panorama posts outbound call requests (empty: no click-to-call)."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("PBX")
        verbose_name_plural = _("PBXs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Extension(models.Model):
    """An agent's extension on a PBX: a ringing call on it pops on his screen."""

    pbx = models.ForeignKey(
        Pbx, on_delete=models.CASCADE, related_name="extensions", verbose_name=_("PBX")
    )
    number = models.CharField(_("extension"), max_length=20)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="phone_extensions",
        verbose_name=_("agent"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        ordering = ["pbx", "number"]
        constraints = [
            models.UniqueConstraint(fields=["pbx", "number"], name="extension_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.user})"


class Call(models.Model):
    """One phone call, inbound or outbound, from ringing to its end and wrap-up."""

    class Direction(models.TextChoices):
        INBOUND = "in", _("Inbound")
        OUTBOUND = "out", _("Outbound")

    class Status(models.TextChoices):
        RINGING = "ringing", _("Ringing")
        ANSWERED = "answered", _("In progress")
        ENDED = "ended", _("Ended")
        REQUESTED = "requested", _("Requested")  # click-to-call sent to the PBX
        FAILED = "failed", _("Failed")  # the PBX refused or did not answer the request

    class Outcome(models.TextChoices):
        ANSWERED = "answered", _("Answered")
        MISSED = "missed", _("Missed")
        BUSY = "busy", _("Busy")
        FAILED = "failed", _("Failed")
        VOICEMAIL = "voicemail", _("Voicemail")

    pbx = models.ForeignKey(Pbx, on_delete=models.PROTECT, related_name="calls")
    call_id = models.CharField(_("PBX call id"), max_length=100)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    caller_number = models.CharField(_("caller number"), max_length=40, blank=True)
    dialled_number = models.CharField(_("dialled number"), max_length=40, blank=True)
    extension = models.CharField(_("extension"), max_length=20, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
        verbose_name=_("agent"),
    )
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
        verbose_name=_("customer"),
    )
    started_at = models.DateTimeField(_("started at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (s)"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    wrap_up_code = models.CharField(_("wrap-up code"), max_length=40, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    case = models.ForeignKey(
        "service.Case",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls",
        verbose_name=_("case"),
    )
    interaction = models.ForeignKey(
        "channels.Interaction", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["pbx", "call_id"], name="call_unique_per_pbx"),
        ]
        indexes = [
            models.Index(fields=["agent", "-started_at"], name="call_agent"),
            models.Index(fields=["customer", "-started_at"], name="call_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.caller_number or self.dialled_number}"

    @property
    def number(self) -> str:
        """The other party's number."""
        return (
            self.caller_number if self.direction == self.Direction.INBOUND else self.dialled_number
        )


class CallEvent(models.Model):
    """A notification waiting for one agent's open pages (the screen pop of a ringing
    call, its end): the stream (``/service/calls/stream``) and the polling fallback read
    the rows newer than the last one they sent. Kept a day."""

    class Kind(models.TextChoices):
        RINGING = "ringing", _("Ringing")
        ANSWERED = "answered", _("Answered")
        ENDED = "ended", _("Ended")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["user", "id"], name="callevent_user")]

    def __str__(self) -> str:
        return f"{self.kind} {self.call_id} → {self.user_id}"


class CallbackRequest(models.Model):
    """Someone asked to be called back, within a window: from the portal, the public web
    form, the IVR or an agent. Assigned to the least loaded member of a queue; an open
    one past its window escalates to the queue's manager."""

    class Source(models.TextChoices):
        PORTAL = "portal", _("Self-service portal")
        WEBFORM = "webform", _("Web form")
        IVR = "ivr", _("Phone menu (IVR)")
        AGENT = "agent", _("Agent")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="callback_requests",
        verbose_name=_("customer"),
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40)
    window_start = models.DateTimeField(_("call from"))
    window_end = models.DateTimeField(_("call until"))
    reason = models.TextField(_("reason"), blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    queue = models.ForeignKey(
        "service.Queue",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="callbacks",
        verbose_name=_("queue"),
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="callbacks",
        verbose_name=_("assigned to"),
    )
    call = models.ForeignKey(
        Call,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="callbacks",
        verbose_name=_("call"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    class Meta:
        verbose_name = _("callback request")
        verbose_name_plural = _("callback requests")
        ordering = ["window_start", "id"]
        indexes = [
            models.Index(fields=["assigned_to", "status", "window_start"], name="callback_agent"),
            models.Index(fields=["status", "window_end"], name="callback_due"),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.phone} ({self.window_start:%Y-%m-%d %H:%M})"


class CallbackForm(models.Model):
    """A "call me back" form to paste into a web site: it posts to
    ``/forms/callback/<token>/submit`` (token, honeypot and rate limit, like the lead
    web form) and each submission is a callback request in ``queue``."""

    name = models.CharField(_("name"), max_length=100)
    token = models.CharField(_("public token"), max_length=64, unique=True, default=_new_token)
    queue = models.ForeignKey(
        "service.Queue",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="callback_forms",
        verbose_name=_("queue"),
    )
    allowed_origins = models.TextField(
        _("allowed origins"),
        blank=True,
        help_text=_("One per line, e.g. https://www.example.com (the sites that embed it)."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("callback form")
        verbose_name_plural = _("callback forms")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def origins(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.allowed_origins.splitlines() if o.strip()]
