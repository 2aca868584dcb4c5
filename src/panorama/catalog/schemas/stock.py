"""API shapes of a product's stock: receipts, count adjustments and the movements."""

import datetime

from ninja import Field, Schema


class StockReceiptIn(Schema):
    quantity: int = Field(description="units received, a whole number above 0")
    note: str = Field(
        "",
        description="optional: the delivery note, the supplier...",
        json_schema_extra={"maxLength": 500},
    )


class StockAdjustmentIn(Schema):
    counted: int = Field(description="the units on hand a count found (0 or more)")
    reason: str = Field(
        description="why the count differs (required, kept in the history and the audit log)",
        json_schema_extra={"maxLength": 500},
    )


class StockMovementOut(Schema):
    id: int
    kind: str = Field(description="opening, received, adjusted, reserved, shipped or released")
    kind_label: str
    on_hand_change: int
    reserved_change: int
    on_hand_after: int
    reserved_after: int
    note: str = Field(description="the receipt's note or the adjustment's reason")
    order_id: int | None
    order_reference: str
    by: str = Field(description="who moved it (empty: the system)")
    at: datetime.datetime

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_by(obj) -> str:
        return obj.by.get_full_name() or obj.by.get_username() if obj.by_id else ""


class StockMovementPageOut(Schema):
    items: list[StockMovementOut]
    next_cursor: str | None
