"""The sales settings administrators change in the app (today the quote approval
threshold): read by every user, changed by ``sales.configure``."""

import datetime
from decimal import Decimal

from ninja import Router, Schema
from pydantic import ConfigDict, Field

from ..services.settings import Key, sales_setting, sales_setting_change, sales_setting_history

router = Router(tags=["sales settings"])


class SettingChangeOut(Schema):
    key: str
    value: str
    previous: str
    comment: str
    changed_by_id: int | None
    changed_at: datetime.datetime


class SalesSettingsOut(Schema):
    quote_approval_discount: Decimal = Field(
        description="manual discount (%) above which a quote needs a manager's approval"
    )
    history: list[SettingChangeOut]


class SalesSettingsPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    quote_approval_discount: Decimal | str | None = None
    comment: str = ""


def _out() -> dict:
    return {
        "quote_approval_discount": sales_setting(Key.QUOTE_APPROVAL_DISCOUNT),
        "history": sales_setting_history(Key.QUOTE_APPROVAL_DISCOUNT),
    }


@router.get("/sales-settings", response=SalesSettingsOut)
def sales_settings_get(request):
    """The values in force and the latest changes (who, when, from → to)."""
    return _out()


@router.patch("/sales-settings", response=SalesSettingsOut)
def sales_settings_patch(request, payload: SalesSettingsPatch):
    """Change a setting (administrators); every change is kept in the history."""
    if payload.quote_approval_discount is not None:
        sales_setting_change(
            by=request.user,
            key=Key.QUOTE_APPROVAL_DISCOUNT,
            value=payload.quote_approval_discount,
            comment=payload.comment,
        )
    return _out()
