import datetime

from ninja import Field, Schema


class ConversationOut(Schema):
    id: int
    site_id: int
    name: str
    email: str
    phone: str
    status: str
    customer_id: int | None
    agent_id: int | None
    started_at: datetime.datetime
    closed_at: datetime.datetime | None
    interaction_id: int | None
    unread: int = 0


class ChatMessageOut(Schema):
    id: int
    author: str
    who: str
    body: str
    event: str
    at: str


class ChatReplyIn(Schema):
    body: str = Field(..., max_length=10000)


class ChatTransferIn(Schema):
    to_user_id: int


class ChatLinkIn(Schema):
    customer_id: int


class TrackedSiteIn(Schema):
    name: str = Field(..., max_length=200)
    origins: list[str] = Field(..., max_length=50, description="e.g. https://www.bank.example")
    require_consent: bool = True
    rate_per_minute: int = 600
    active: bool = True


class TrackedSiteOut(Schema):
    id: int
    name: str
    public_key: str
    origins: list[str]
    require_consent: bool
    rate_per_minute: int
    active: bool

    @staticmethod
    def resolve_origins(obj) -> list[str]:
        return obj.origin_list()
