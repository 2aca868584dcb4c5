from datetime import datetime

from ninja import Schema


class AlertSeenOut(Schema):
    user_id: int
    name: str
    at: datetime


class AlertOut(Schema):
    id: int
    title: str
    body: str
    priority: int
    user_id: int | None
    team_id: int | None
    expires_at: datetime | None
    created_at: datetime
    seen_by: list[AlertSeenOut]  # who has seen it and when (a team alert: each member)

    @staticmethod
    def resolve_seen_by(obj) -> list[dict]:
        from .selectors import seen_by

        return [
            {"user_id": s.user_id, "name": s.user.get_full_name() or s.user.username, "at": s.at}
            for s in seen_by(obj)
        ]


class AlertIn(Schema):
    """An alert raised by hand: for the caller unless ``user_id`` (a colleague who sees
    the customer) or ``team_id`` says otherwise."""

    customer_id: int
    title: str
    body: str = ""
    priority: int = 2
    user_id: int | None = None
    team_id: int | None = None
    expires_at: datetime | None = None


class RuleIn(Schema):
    name: str
    description: str = ""
    trigger: str = "event"
    event: str = ""
    schedule_time: str | None = None
    conditions: dict = {}
    actions: list = []
    active: bool = True


class RuleOut(Schema):
    id: int
    name: str
    description: str
    trigger: str
    event: str
    schedule_time: str | None
    conditions: dict
    actions: list
    active: bool

    @staticmethod
    def resolve_schedule_time(obj) -> str | None:
        return obj.schedule_time.strftime("%H:%M") if obj.schedule_time else None


class RuleTestIn(Schema):
    customer_id: int | None = None
    payload: dict = {}


class RuleTestOut(Schema):
    matched: bool
    explanation: list[str]
    actions: list[str]


class RulesFileIn(Schema):
    panorama: str
    version: int = 1
    rules: list


class ImportOut(Schema):
    created: int
    updated: int


class MyAlertOut(AlertOut):
    customer_id: int
    customer_name: str
    seen: bool

    @staticmethod
    def resolve_customer_name(obj) -> str:
        return obj.customer.display_name

    @staticmethod
    def resolve_seen(obj) -> bool:
        return bool(getattr(obj, "seen_by_me", False))


class RuleRunOut(Schema):
    id: int
    at: datetime
    event: str
    customer_id: int | None
    customer_name: str
    matched: bool
    explanation: list[str]
    actions_done: list[str]
    error: str

    @staticmethod
    def resolve_customer_id(obj) -> int | None:
        return obj.customer.pk if obj.customer else None

    @staticmethod
    def resolve_customer_name(obj) -> str:
        return obj.customer.display_name if obj.customer else ""


class RuleRunPageOut(Schema):
    items: list[RuleRunOut]
    next_cursor: str | None
