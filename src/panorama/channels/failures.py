"""Failed sends, on every channel: a message that did not go out (the mail server or the
provider refused it, or reported it failed later) is a timeline entry like any other
contact (``interaction_record`` with ``failed=True``), with the reason, the channel and
who or what sent it; the "Failed messages" page and ``/api/v1/channels/failed-messages``
list them in the user's scope, and a retry sends the message again through the
channel's own service (its checks and permissions).

``metadata`` of a failed entry: ``error`` (the server's or provider's answer), ``kind``
(``email``, ``sms``, ``whatsapp``, ``fax``, ``campaign_email``, ``case_message``...),
the channel record's id (``sent_mail_id``, ``text_message_id``, ``fax_id``), and
``source`` / ``source_name`` when no person sent it (``rule``, ``campaign``). A retry
adds ``retried_at``, ``retried_by`` and ``retried_as`` (the new entry, or None when the
retry failed too: that attempt is a failed entry of its own) and ``retry_error``.

A retry claims the entry before sending (``retry_claimed_at``, one conditional UPDATE
in its own short transaction): of two clicks at once, one sends and the other is told
the message is already being sent again (409). The claim is let go when the attempt
ends, sent or refused; a claim left by a process that died mid-send expires after
``CLAIM_EXPIRES``.

The server's or provider's answer is kept whole (``reason_kept``: up to
``REASON_MAX`` characters, a longer one says how many more there were); the timeline
and the page show it shortened, with the whole text a click away.

Apps built on channels make their own failures retryable with
``retry_handler_register(kind, handler)`` (channels imports none of them)."""

import datetime
from collections.abc import Callable
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, DomainError, NotFound
from panorama.core.pagination import TimeKeyset
from panorama.customers.selectors import scope_filter

from .models import Interaction
from .services import interaction_record

SOURCES = {"rule": gettext_lazy("Rule"), "campaign": gettext_lazy("Campaign")}
# A retry's claim outlives no send: past this, its process died mid-send and another
# click may take it (an SMTP or provider call times out well before).
CLAIM_EXPIRES = datetime.timedelta(minutes=15)
# A mail server's or provider's answer is kept whole up to this (an HTML error page
# sent as the answer can be megabytes: past this, what is left out is said).
REASON_MAX = 20_000
# How much of it the timeline and the page show before "The whole reason".
REASON_SHOWN = 300
Handler = Callable[[User | None, Interaction], Interaction]
_HANDLERS: dict[str, Handler] = {}


def reason_kept(text: str, limit: int = REASON_MAX) -> str:
    """``text`` (a server's or provider's answer) as it came, when it fits in ``limit``
    characters; else its start and "… (N more characters)", never a silent cut."""
    text = text or ""
    if len(text) <= limit:
        return text
    keep = max(limit - 60, limit // 2)  # room for the marker
    more = _("… (%(n)s more characters)") % {"n": f"{len(text) - keep:,}"}
    return text[:keep] + more


def reason_shown(text: str) -> tuple[str, bool]:
    """The start of a reason for a list or the timeline, and whether there is more."""
    text = text or ""
    if len(text) <= REASON_SHOWN:
        return text, False
    return text[: REASON_SHOWN - 1].rstrip() + "…", True


def failure_record(
    *,
    customer_id: int,
    channel: str,
    kind: str,
    subject: str,
    error: str,
    body: str = "",
    agent: User | None = None,
    source: tuple[str, str, int | None] | None = None,
    related: models.Model | None = None,
    metadata: dict[str, Any] | None = None,
) -> Interaction:
    """Put a message that did not go out on the customer's timeline, as failed.
    ``agent``: the person who sent it; ``source``: (kind, name, id) of the rule or
    campaign that did. Written by the system (the sender's own checks ran already)."""
    return interaction_record(by=None, **failure_fields(**locals()))


def failure_fields(
    *,
    customer_id: int,
    channel: str,
    kind: str,
    subject: str,
    error: str,
    body: str = "",
    agent: User | None = None,
    source: tuple[str, str, int | None] | None = None,
    related: models.Model | None = None,
    metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The arguments of ``interaction_record`` (or one contact of
    ``interactions_record``, a campaign's batch) for a failed message."""
    extra: dict[str, Any] = {"kind": kind, "error": reason_kept(error)}
    if source is not None:
        extra |= {"source": source[0], "source_name": source[1][:200], "source_id": source[2]}
    return {
        "customer_id": customer_id,
        "agent": agent,
        "channel": channel,
        "direction": Interaction.Direction.OUTBOUND,
        "subject": (subject or "")[:200] or _("Message not sent"),
        "body": body,
        "outcome": _("Not sent"),
        "related": related,
        "metadata": {**(metadata or {}), **extra},
        "failed": True,
    }


def failure_mark(*, interaction_id: int | None, error: str) -> None:
    """A message that went out and was reported failed later (a provider's or the fax
    gateway's delivery report): its entry becomes a failed one."""
    if not interaction_id:
        return
    interaction = Interaction.objects.select_for_update().filter(pk=interaction_id).first()
    if interaction is None:
        return
    interaction.failed = True
    interaction.outcome = _("Not sent")
    interaction.metadata = {**(interaction.metadata or {}), "error": reason_kept(error)}
    interaction.save(update_fields=["failed", "outcome", "metadata"])


def sender_label(interaction: Interaction) -> str:
    """Who or what sent it: the person, else the rule or campaign, else the system."""
    if interaction.agent_id and interaction.agent is not None:
        return interaction.agent.get_full_name() or interaction.agent.username
    meta = interaction.metadata or {}
    kind = SOURCES.get(meta.get("source", ""))
    if kind is not None:
        return f"{kind}: {meta.get('source_name', '')}"
    return _("The system")


# --- seeing and retrying -----------------------------------------------------------------


NEWEST_FIRST = TimeKeyset("-occurred_at", "-id", types=(str, int))


def failures_visible_to(user: User | None) -> models.QuerySet[Interaction]:
    """The failed messages of the customers ``user`` sees (the customers' own scope),
    newest first, down the partial index ``interaction_failed``."""
    qs = Interaction.objects.filter(failed=True, customer__merged_into__isnull=True)
    if user is not None:
        qs = qs.filter(scope_filter(user, prefix="customer__"))
    return qs.select_related("customer", "agent").order_by("-occurred_at", "-id")


def failures_filter(
    qs: models.QuerySet[Interaction],
    *,
    channel: str = "",
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
    state: str = "",
) -> models.QuerySet[Interaction]:
    if channel:
        qs = qs.filter(channel=channel)
    if since is not None:
        qs = qs.filter(occurred_at__gte=since)
    if until is not None:
        qs = qs.filter(occurred_at__lt=until)
    if state == "waiting":
        qs = qs.exclude(metadata__has_key="retried_at")
    elif state == "retried":
        qs = qs.filter(metadata__has_key="retried_at")
    return qs


def failure_get(*, user: User | None, interaction_id: int) -> Interaction:
    failure = (
        failures_visible_to(user).filter(pk=interaction_id).first()
        if 0 < interaction_id < 2**63  # beyond, SQLite cannot even bind it
        else None
    )
    if failure is None:
        raise NotFound(_("Failed message %(id)s does not exist.") % {"id": interaction_id})
    return failure


def retry_handler_register(kind: str, handler: Handler) -> None:
    """``handler(by, failure)`` sends the failed message again through its app's own
    service and returns the new timeline entry (raising its ``DomainError`` when it is
    refused)."""
    _HANDLERS[kind] = handler


def retryable(interaction: Interaction) -> bool:
    meta = interaction.metadata or {}
    return meta.get("kind") in _HANDLERS and "retried_at" not in meta and not sending(interaction)


def sending(interaction: Interaction) -> bool:
    """A retry of it is being sent right now (claimed, and not so long ago that the
    process that claimed it must have died)."""
    claimed = interaction.retry_claimed_at
    return claimed is not None and claimed > timezone.now() - CLAIM_EXPIRES


def _claim(failure_id: int) -> bool:
    """Take the failed entry for one retry: one conditional UPDATE, committed at once
    (its own short transaction), so that a second click, on any process, finds it taken
    and sends nothing. False when it was sent again already or is being sent."""
    now = timezone.now()
    with transaction.atomic():
        return bool(
            Interaction.objects.filter(pk=failure_id, failed=True)
            .exclude(metadata__has_key="retried_at")
            .filter(Q(retry_claimed_at__isnull=True) | Q(retry_claimed_at__lt=now - CLAIM_EXPIRES))
            .update(retry_claimed_at=now)
        )


def _release(failure_id: int, values: dict[str, Any] | None = None) -> None:
    """Let go of the claim, recording how the attempt ended (``values``) with it."""
    with transaction.atomic():
        interaction = Interaction.objects.select_for_update().filter(pk=failure_id).first()
        if interaction is None:
            return
        if values:
            interaction.metadata = {**(interaction.metadata or {}), **values}
        interaction.retry_claimed_at = None
        interaction.save(update_fields=["metadata", "retry_claimed_at"])


def _when(iso: str) -> str:
    """A stored ISO time in the reader's time zone and locale ("1 Dec 2026, 07:40")."""
    moment = datetime.datetime.fromisoformat(iso)
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def failure_retry(*, by: User | None, interaction_id: int) -> Interaction:
    """Send a failed message again, as ``by``, through the service that sent it (its
    validation and permissions: ``by`` must see the customer and may send). Returns the
    new entry; a refusal raises that service's error (422 with the provider's answer),
    and that attempt is a failed entry of its own. Not atomic: a refused attempt is kept.
    The entry is claimed before sending (``_claim``): a retry already under way answers
    409 and sends nothing; the claim is let go however the attempt ends.
    """
    ensure_can(by, "channels.send")
    failure = failure_get(user=by, interaction_id=interaction_id)
    _not_retried(failure)
    meta = failure.metadata or {}
    handler = _HANDLERS.get(meta.get("kind", ""))
    if handler is None:
        raise Conflict(
            _("A message of this kind cannot be sent again from here: %(what)s.")
            % {"what": failure.subject},
            field="retry",
        )
    if not _claim(failure.pk):
        failure.refresh_from_db(fields=["metadata", "retry_claimed_at"])
        _not_retried(failure)  # sent again meanwhile: say when
        raise Conflict(
            _("This message is already being sent again: wait a moment and reload the page."),
            field="retry",
        )
    mark = {"retried_at": timezone.now().isoformat(), "retried_by": by.pk if by else None}
    try:
        sent = handler(by, failure)
    except DomainError as exc:
        # Refused by the server again (422): that try is kept (a failed entry of its
        # own), this one says so. Refused before sending (403, 404...): as it was.
        again = exc.status_code == 422
        reason = {**mark, "retried_as": None, "retry_error": reason_kept(str(exc.message))}
        _release(failure.pk, reason if again else None)
        raise
    except BaseException:
        _release(failure.pk)
        raise
    with transaction.atomic():
        _release(failure.pk, {**mark, "retried_as": sent.pk})
        emit(
            "message.retried",
            failed_interaction_id=failure.pk,
            interaction_id=sent.pk,
            customer_id=failure.customer_id,
            by=by.pk if by else None,
        )
    return sent


def _not_retried(failure: Interaction) -> None:
    meta = failure.metadata or {}
    if "retried_at" in meta:
        raise Conflict(
            _("This message was already sent again on %(when)s.")
            % {"when": _when(meta["retried_at"])},
            field="retry",
        )


# --- the channels' own retries ---------------------------------------------------------


def _retry_email(by: User | None, failure: Interaction) -> Interaction:
    from .outbound.models import SentMail
    from .outbound.services import mail_send

    meta = failure.metadata or {}
    sent = SentMail.objects.filter(
        pk=meta.get("sent_mail_id") or 0, customer_id=failure.customer_id
    ).first()
    if sent is None:
        raise NotFound(_("The e-mail of this failed message no longer exists."))
    body = sent.body
    signature = f"\n\n-- \n{sent.identity.signature}" if sent.identity.signature else ""
    if signature and body.endswith(signature):
        body = body[: -len(signature)]
    new = mail_send(
        by=by,
        customer_id=failure.customer_id,
        identity_id=sent.identity_id,
        subject=sent.subject,
        body=body,
        to_address=sent.to_address,
        reply_to=meta.get("thread_parent") or None,
    )
    return _entry(new.interaction)


def _retry_text(by: User | None, failure: Interaction) -> Interaction:
    from .sms.models import TextMessage
    from .sms.services import message_send

    meta = failure.metadata or {}
    message = TextMessage.objects.filter(
        pk=meta.get("text_message_id") or 0, customer_id=failure.customer_id
    ).first()
    if message is None:
        raise NotFound(_("The text of this failed message no longer exists."))
    new = message_send(
        by=by,
        customer_id=failure.customer_id,
        account_id=message.account_id,
        body=message.body,
        number=message.number,
    )
    return _entry(new.interaction)


def _retry_fax(by: User | None, failure: Interaction) -> Interaction:
    from .fax.models import Fax
    from .fax.services import fax_send

    meta = failure.metadata or {}
    fax = Fax.objects.filter(pk=meta.get("fax_id") or 0, customer_id=failure.customer_id).first()
    if fax is None or not fax.document:
        raise NotFound(_("The document of this failed fax no longer exists."))
    with fax.document.open("rb") as handle:
        content = handle.read()
    new = fax_send(
        by=by,
        customer_id=failure.customer_id,
        number=fax.number,
        content=content,
        cover=meta.get("cover", ""),
    )
    return _entry(new.interaction)


def _entry(interaction: Interaction | None) -> Interaction:
    if interaction is None:  # every sent message has its entry; a guard for mypy
        raise Conflict(_("The message was sent but has no timeline entry."))
    return interaction


retry_handler_register("email", _retry_email)
retry_handler_register("sms", _retry_text)
retry_handler_register("whatsapp", _retry_text)
retry_handler_register("fax", _retry_fax)
