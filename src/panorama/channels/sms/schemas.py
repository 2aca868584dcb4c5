import datetime

from ninja import Field, Schema


class MessagingAccountIn(Schema):
    name: str = Field(..., max_length=100)
    kind: str = Field("sms", max_length=10)
    number: str = Field(..., max_length=40)
    api_url: str = Field(..., max_length=200)
    api_key: str = Field("", max_length=500, description="kept encrypted, never shown")
    webhook_secret: str = Field("", max_length=128, description="empty: one is made")
    active: bool = True


class MessagingAccountOut(Schema):
    id: int
    name: str
    kind: str
    provider: str
    number: str
    api_url: str
    active: bool
    webhook_path: str

    @staticmethod
    def resolve_webhook_path(obj) -> str:
        return f"/api/v1/channels/messaging/{obj.pk}/webhook"


class MessageSendIn(Schema):
    account_id: int
    body: str = Field(..., max_length=10000)
    number: str = Field("", max_length=40, description="empty: the customer's primary phone")


class TextMessageOut(Schema):
    id: int
    account_id: int
    direction: str
    number: str
    body: str
    status: str
    error: str
    customer_id: int | None
    interaction_id: int | None
    created_at: datetime.datetime


class WebhookOut(Schema):
    detail: str
    message: int | None = None


class UnknownNumberOut(Schema):
    number: str
    messages: int
    faxes: int
    last_at: datetime.datetime


class NumberLinkIn(Schema):
    number: str = Field(..., max_length=40)
    customer_id: int
    remember: bool = True


class NumberLinkOut(Schema):
    linked: int
