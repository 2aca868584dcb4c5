import datetime

from ninja import Field, Schema


class SendingIdentityIn(Schema):
    name: str = Field(..., max_length=100)
    from_address: str = Field(..., max_length=254)
    display_name: str = Field("", max_length=100)
    signature: str = Field("", max_length=2000)
    owner_id: int | None = None
    user_ids: list[int] = []
    active: bool = True


class SendingIdentityOut(Schema):
    id: int
    name: str
    from_address: str
    display_name: str
    signature: str
    owner_id: int | None
    shared: bool
    active: bool


class MailTemplateIn(Schema):
    name: str = Field(..., max_length=100)
    language: str = Field(..., max_length=2)
    subject: str = Field(..., max_length=200)
    body: str = Field(..., max_length=20000)
    active: bool = True


class MailTemplateOut(Schema):
    id: int
    name: str
    language: str
    subject: str
    body: str
    active: bool


class MailTemplatePreviewIn(Schema):
    customer_id: int
    subject: str | None = Field(None, max_length=200, description="unsaved text to try")
    body: str | None = Field(None, max_length=20000, description="unsaved text to try")


class MailTemplatePreviewOut(Schema):
    subject: str
    body: str


class MailSendIn(Schema):
    identity_id: int
    subject: str = Field("", max_length=1000)
    body: str = Field("", max_length=100000)
    to_address: str = Field("", max_length=320)
    template_id: int | None = None
    reply_to: int | None = Field(None, description="an inbound e-mail's timeline id to answer")


class SentMailOut(Schema):
    id: int
    customer_id: int
    identity_id: int
    to_address: str
    subject: str
    message_id: str
    in_reply_to: str
    status: str
    error: str
    interaction_id: int | None
    sent_at: datetime.datetime
    bounced_at: datetime.datetime | None
