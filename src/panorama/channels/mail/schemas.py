import datetime

from ninja import Field, Schema

from panorama.core.validation import text_field

from .models import Mailbox


class MailboxIn(Schema):
    name: str = text_field(Mailbox, "name")
    address: str = Field(..., max_length=254)
    host: str = text_field(Mailbox, "host")
    port: int = 993
    use_ssl: bool = True
    username: str = text_field(Mailbox, "username")
    password: str = Field("", max_length=500, description="write-only; empty keeps the stored one")
    folder: str = text_field(Mailbox, "folder", "INBOX")
    owner_id: int | None = None
    active: bool = True
    poll_seconds: int = 60
    creates_cases: bool = False
    creates_leads: bool = False
    receives_faxes: bool = False
    queue_id: int | None = None
    auto_reply: bool = True
    auto_reply_subject: str = text_field(Mailbox, "auto_reply_subject", "")
    auto_reply_body: str = Field("", max_length=10000)


class MailboxOut(Schema):
    """Never the password: ``has_password`` says whether one is stored."""

    id: int
    name: str
    address: str
    host: str
    port: int
    use_ssl: bool
    username: str
    has_password: bool
    folder: str
    owner_id: int | None
    active: bool
    poll_seconds: int
    creates_cases: bool
    creates_leads: bool
    receives_faxes: bool
    queue_id: int | None
    auto_reply: bool
    auto_reply_subject: str
    auto_reply_body: str
    uidvalidity: int | None
    last_uid: int
    last_polled_at: datetime.datetime | None
    last_error: str


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    stored: bool
    note: str


class EntryOut(Schema):
    id: int
    mailbox_id: int | None
    uid: int | None
    message_id: str
    from_address: str
    subject: str
    sent_at: datetime.datetime | None
    size: int
    status: str
    reason: str
    detail: str
    customer_id: int | None
    interaction_id: int | None
    case_id: int | None
    attempts: int
    created_at: datetime.datetime


class LedgerPageOut(Schema):
    items: list[EntryOut]
    next_cursor: str | None


class ConnectionOut(Schema):
    messages: int


class UnknownSenderOut(Schema):
    address: str
    name: str
    messages: int
    first_at: datetime.datetime
    last_at: datetime.datetime
    last_subject: str


class LinkIn(Schema):
    address: str = Field(..., max_length=320)
    customer_id: int
    remember: bool = True


class LinkOut(Schema):
    imported: int
