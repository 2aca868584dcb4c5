"""Delivery reports (RFC 3464 DSNs, and the looser bounces of common MTAs) read back:
the inbound mail path hands every message here first; a report about a message we sent
marks it bounced and says so on the customer's timeline. Complaints (RFC 5965 ARF
feedback reports from a mailbox provider's feedback loop: "this is spam") are read as
reports too, with ``feedback_type`` set; they are no bounce, only the registered
handlers act on them (marketing's campaigns)."""

from collections.abc import Callable
from dataclasses import dataclass
from email import message_from_bytes, message_from_string, policy
from email.message import Message

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from panorama.core.events import emit

from ..failures import reason_kept
from ..mail.parse import MSGID_RE
from .models import SentMail


@dataclass
class Report:
    message_ids: list[str]
    recipient: str
    status: str
    diagnostic: str
    action: str = ""
    # An ARF feedback report (RFC 5965): "abuse", "fraud", "virus", "other"...; empty
    # for a delivery report.
    feedback_type: str = ""

    @property
    def complaint(self) -> bool:
        return bool(self.feedback_type)

    @property
    def hard(self) -> bool:
        """A permanent failure (5.x.x, or "failed" without a status); a 4.x.x or a
        "delayed" report is a soft bounce, worth trying again."""
        return not (self.action == "delayed" or self.status.startswith("4"))

    @property
    def reason(self) -> str:
        return " ".join(x for x in (self.status, self.diagnostic) if x) or _("no reason given")


@dataclass
class Handled:
    """What a bounce handler of another app made of a report: the customer it was
    about (None when unknown) and one line for the inbound mail's log."""

    customer_id: int | None
    detail: str


# Apps that send their own mail (marketing's campaigns) read the reports about it
# through these, registered in their AppConfig.ready: channels imports none of them.
BounceHandler = Callable[[Report], Handled | None]
_handlers: list[BounceHandler] = []


def bounce_handler_register(handler: BounceHandler) -> None:
    if handler not in _handlers:
        _handlers.append(handler)


def _is_report(msg: Message) -> bool:
    if msg.get_content_type() == "multipart/report":
        return True
    sender = str(msg.get("From", "")).lower()
    return "mailer-daemon@" in sender or "postmaster@" in sender or "X-Failed-Recipients" in msg


def report_read(raw: bytes) -> Report | None:
    """The original Message-IDs and the failure a delivery report names, or None when
    ``raw`` is not a delivery report (or reports a success)."""
    try:
        msg = message_from_bytes(raw, policy=policy.compat32)
        if not _is_report(msg):
            return None
        ids: list[str] = []
        recipient = status = diagnostic = ""
        action = feedback = ""
        for part in msg.walk():
            kind = part.get_content_type()
            if kind == "message/feedback-report":
                for block in part.get_payload() or []:
                    if not isinstance(block, Message):
                        continue
                    feedback = (block.get("Feedback-Type") or feedback).strip().lower()
                    original = block.get("Original-Rcpt-To") or ""
                    if original:
                        recipient = str(original).strip().strip("<>")
            elif kind == "message/delivery-status":
                for block in part.get_payload() or []:
                    if not isinstance(block, Message):
                        continue
                    action = (block.get("Action") or action).strip().lower()
                    status = (block.get("Status") or status).strip()
                    diagnostic = (block.get("Diagnostic-Code") or diagnostic).strip()
                    final = block.get("Final-Recipient") or block.get("Original-Recipient")
                    if final:
                        recipient = str(final).split(";")[-1].strip()
            elif kind == "message/rfc822":
                for inner in part.get_payload() or []:
                    if isinstance(inner, Message):
                        ids += MSGID_RE.findall(str(inner.get("Message-ID", "")))
            elif kind == "text/rfc822-headers":
                headers = message_from_string(str(part.get_payload(decode=False)))
                ids += MSGID_RE.findall(str(headers.get("Message-ID", "")))
        if not ids:
            # A bounce that quotes the original as text: any Message-ID in the body.
            ids = MSGID_RE.findall(raw.decode("utf-8", errors="replace"))
        if feedback:
            return Report(
                ids,
                recipient[:320],
                "",
                _("complaint: %(type)s") % {"type": feedback[:40]},
                feedback_type=feedback[:40],
            )
        if action and action not in ("failed", "delayed"):
            return None  # "delivered", "relayed", "expanded": not a failure
        recipient = recipient or str(msg.get("X-Failed-Recipients", "")).strip()
        return Report(
            ids, recipient[:320], status[:20], reason_kept(" ".join(diagnostic.split())), action
        )
    except Exception:  # a broken report is an ordinary message for the importer
        return None


@transaction.atomic
def bounce_dispatch(raw: bytes) -> Handled | None:
    """The inbound path's entry: a report about a message sent from the ficha, or about
    one a registered handler knows (a campaign's); None when it is about nothing ours."""
    sent = bounce_record(raw)
    if sent is not None:
        return Handled(
            sent.customer_id,
            _("Delivery report: our message %(subject)s to %(to)s bounced (%(reason)s).")
            % {"subject": sent.subject, "to": sent.to_address, "reason": sent.error},
        )
    report = report_read(raw)
    if report is None or not report.message_ids:
        return None
    for handler in _handlers:
        handled = handler(report)
        if handled is not None:
            return handled
    return None


@transaction.atomic
def bounce_record(raw: bytes) -> SentMail | None:
    """Mark the message a delivery report is about bounced (once), or None when it is
    no report about anything we sent."""
    report = report_read(raw)
    if report is None or not report.message_ids or report.complaint:
        return None
    sent = (
        SentMail.objects.select_for_update(of=("self",))
        .filter(message_id__in=report.message_ids)
        .select_related("interaction")
        .first()
    )
    if sent is None:
        return None
    if sent.status != SentMail.Status.BOUNCED:
        reason = report.reason
        sent.status, sent.bounced_at = SentMail.Status.BOUNCED, timezone.now()
        sent.error = reason
        sent.save(update_fields=["status", "bounced_at", "error"])
        if sent.interaction is not None:
            interaction = sent.interaction
            interaction.outcome = _("Bounced")[:100]
            interaction.metadata = {**interaction.metadata, "bounce": reason}
            interaction.save(update_fields=["outcome", "metadata"])
        emit(
            "mail.bounced",
            sent_id=sent.pk,
            customer_id=sent.customer_id,
            reason=reason,
        )
    return sent
