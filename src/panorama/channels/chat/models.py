"""Web chat: a visitor's conversation from the widget on a tracked site, its messages
(the stream's rows: each id is a server-sent event id) and which agents are on line.
Imported by ``channels/models.py``."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def _new_token() -> str:
    return secrets.token_urlsafe(24)


class Conversation(models.Model):
    """One chat. The visitor holds ``token`` (his only key to it: no login); an agent
    takes it, answers, may transfer it and closes it; closed, it is one chat entry on
    the customer's timeline (``interaction``), or waits for staff to link the visitor."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        ACTIVE = "active", _("In progress")
        CLOSED = "closed", _("Closed")
        OFFLINE = "offline", _("Offline message")

    # The site lives in ``automation`` (its key, origins and visitors): a chat starts on
    # one, as the tracking snippet does.
    site = models.ForeignKey(
        "automation.TrackedSite", on_delete=models.PROTECT, related_name="conversations"
    )
    token = models.CharField(max_length=40, unique=True, default=_new_token)
    visitor_cookie = models.CharField(max_length=64, blank=True)
    name = models.CharField(_("name"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    consent_text = models.TextField(_("consent accepted"))
    page_url = models.CharField(_("page"), max_length=500, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversations",
        verbose_name=_("customer"),
    )
    # portal, email, phone, cookie, staff
    identified_by = models.CharField(max_length=20, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversations",
        verbose_name=_("agent"),
    )
    # The last message the agent has read: the unread count is the visitor's after it.
    agent_read_id = models.PositiveBigIntegerField(default=0)
    interaction = models.ForeignKey(
        "channels.Interaction", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What an offline message became (a case or a callback), in words and ids.
    follow_up = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    last_message_at = models.DateTimeField(_("last message"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("chat conversation")
        verbose_name_plural = _("chat conversations")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-started_at"], name="chat_queue"),
            models.Index(fields=["agent", "status"], name="chat_agent"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()})"


class ChatMessage(models.Model):
    class Author(models.TextChoices):
        VISITOR = "visitor", _("Visitor")
        AGENT = "agent", _("Agent")
        SYSTEM = "system", _("System")

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.CharField(_("author"), max_length=10, choices=Author.choices)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("text"))
    # A system line's kind (taken, transferred, closed): its words are written when read,
    # in the reader's language; ``body`` then holds the agent's name.
    event = models.CharField(max_length=12, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        ordering = ["id"]
        indexes = [models.Index(fields=["conversation", "id"], name="chatmessage_stream")]

    def __str__(self) -> str:
        return self.body[:40]


class ChatPresence(models.Model):
    """An agent with the chats page open, refreshed by its stream or its polling: the
    widget offers a live chat only while one was seen lately, else an offline message."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_presence"
    )
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user_id} {self.seen_at}"
