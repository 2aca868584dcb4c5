"""Reading one raw message with the standard library (``email``, ``policy.default``),
never failing on what senders get wrong: a broken MIME structure, an unknown charset or
a bad header become notes on the ledger, and the message is still read as far as it can."""

import datetime
import hashlib
import html
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from django.utils import timezone

MSGID_RE = re.compile(r"<[^<>\s]+>")
TAG_RE = re.compile(r"<[^>]+>")
BLANK_LINES_RE = re.compile(r"\n{3,}")


@dataclass
class Attachment:
    filename: str
    content_type: str
    content: bytes


@dataclass
class Parsed:
    message_id: str
    in_reply_to: str
    references: list[str]
    from_address: str
    from_name: str
    to_addresses: list[str]
    subject: str
    sent_at: datetime.datetime | None
    text: str
    attachments: list[Attachment] = field(default_factory=list)
    auto_submitted: bool = False
    bulk: bool = False
    notes: list[str] = field(default_factory=list)

    def thread_ids(self) -> list[str]:
        """The messages this one answers, nearest first."""
        ids = [self.in_reply_to] if self.in_reply_to else []
        return ids + [m for m in reversed(self.references) if m not in ids]


def _header(msg: Message, name: str, notes: list[str]) -> str:
    if name not in msg:  # cheap: parsing a header through the policy is not
        return ""
    try:
        value = msg.get(name)
    except Exception as exc:  # a header the policy cannot parse (defect in the sender)
        notes.append(f"Unreadable {name} header: {exc}")
        try:
            value = msg.get_all(name, failobj=[""])[0]
        except Exception:
            return ""
    return str(value or "").replace("\x00", "").strip()


def _ids(value: str) -> list[str]:
    return MSGID_RE.findall(value or "")


def _text_of(part: Message, notes: list[str]) -> str:
    try:
        return part.get_content()  # type: ignore[attr-defined]
    except (LookupError, UnicodeError, AssertionError, KeyError) as exc:
        # An unknown or wrong charset: decode as UTF-8 and keep the note.
        notes.append(f"Text not in its declared charset ({exc}): read as UTF-8.")
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""


def _html_to_text(markup: str) -> str:
    text = re.sub(r"(?is)<(script|style).*?</\1>", "", markup)
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>|</tr>", "\n", text)
    return BLANK_LINES_RE.sub("\n\n", html.unescape(TAG_RE.sub("", text))).strip()


def _body_and_files(msg: EmailMessage, notes: list[str]) -> tuple[str, list[Attachment]]:
    text = ""
    try:
        body = msg.get_body(preferencelist=("plain", "html"))
    except Exception as exc:
        notes.append(f"Broken MIME structure: {exc}")
        body = None
    if body is not None:
        text = _text_of(body, notes)
        if body.get_content_type() == "text/html":
            text = _html_to_text(text)
    elif not msg.is_multipart():
        text = _text_of(msg, notes)
    files: list[Attachment] = []
    try:
        parts = list(msg.iter_attachments()) if msg.is_multipart() else []
    except Exception as exc:
        notes.append(f"Broken MIME structure: {exc}")
        parts = [p for p in msg.walk() if p.get_content_disposition() == "attachment"]
    for number, part in enumerate(parts, start=1):
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        name = ""
        try:
            name = part.get_filename() or ""
        except Exception as exc:
            notes.append(f"Unreadable attachment name: {exc}")
        name = name.replace("/", "_").replace("\\", "_").replace("\x00", "").strip()
        files.append(
            Attachment(
                filename=(name or f"attachment-{number}")[:255],
                content_type=part.get_content_type()[:100],
                content=content,
            )
        )
    return text.replace("\x00", ""), files


def parse(raw: bytes) -> Parsed:
    """What Panorama needs of one message; defects become ``notes``."""
    msg = message_from_bytes(raw, policy=policy.default)
    notes: list[str] = []
    for defect in getattr(msg, "defects", []):
        notes.append(f"MIME defect: {type(defect).__name__}")
    message_id = (_ids(_header(msg, "Message-ID", notes)) or [""])[0]
    if not message_id:
        # No Message-ID: one made of the content, so the same message is still a duplicate.
        message_id = f"<{hashlib.sha256(raw).hexdigest()[:40]}@panorama.invalid>"
        notes.append("No Message-ID: one was made from the content.")
    name, address = parseaddr(_header(msg, "From", notes))
    try:
        to_addresses = [a.lower() for _n, a in getaddresses([_header(msg, "To", notes)]) if a]
    except Exception:
        to_addresses = []
    sent_at = None
    date = _header(msg, "Date", notes)
    if date:
        try:
            sent_at = parsedate_to_datetime(date)
            if timezone.is_naive(sent_at):
                sent_at = timezone.make_aware(sent_at, datetime.UTC)
        except (TypeError, ValueError, IndexError):
            notes.append(f"Unreadable date: {date[:60]}")
    auto = _header(msg, "Auto-Submitted", notes).lower()
    precedence = _header(msg, "Precedence", notes).lower()
    text, files = _body_and_files(msg, notes)
    return Parsed(
        message_id=message_id[:500],
        in_reply_to=(_ids(_header(msg, "In-Reply-To", notes)) or [""])[0][:500],
        references=_ids(_header(msg, "References", notes))[-50:],
        from_address=address.strip().lower()[:320] if "@" in address else "",
        from_name=name.strip()[:200],
        to_addresses=to_addresses,
        subject=_header(msg, "Subject", notes)[:500],
        sent_at=sent_at,
        text=text,
        attachments=files,
        auto_submitted=bool(auto)
        and auto != "no"
        or bool(_header(msg, "X-Autoreply", notes) or _header(msg, "X-Autorespond", notes)),
        bulk=precedence in {"bulk", "junk", "list"} or bool(_header(msg, "List-Id", notes)),
        notes=notes,
    )
