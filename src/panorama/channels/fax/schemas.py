import datetime

from ninja import Field, Schema


class FaxOut(Schema):
    id: int
    direction: str
    number: str
    status: str
    content_type: str
    pages: int
    note: str
    error: str
    customer_id: int | None
    interaction_id: int | None
    case_id: int | None
    has_preview: bool
    created_at: datetime.datetime

    @staticmethod
    def resolve_has_preview(obj) -> bool:
        return bool(obj.preview)


class FaxCaseIn(Schema):
    subject: str = Field("", max_length=200)


class FaxLinkIn(Schema):
    customer_id: int
    remember: bool = True


class FaxStatusIn(Schema):
    status: str = Field(..., max_length=20)
    error: str = Field("", max_length=500)
