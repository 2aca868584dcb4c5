"""Schemas of the field service API: assets, contracts, coverage, work orders, stock."""

import datetime
from decimal import Decimal

from ninja import Schema

from panorama.core.validation import text_field

from ..models import Asset, ServiceContract, WorkOrder


class AssetIn(Schema):
    customer_id: int
    product_id: int
    serial_number: str = text_field(Asset, "serial_number")
    install_date: datetime.date | None = None
    site: str = text_field(Asset, "site", "")
    parent_id: int | None = None
    notes: str = ""


class AssetPatch(Schema):
    product_id: int | None = None
    serial_number: str | None = text_field(Asset, "serial_number", None)
    install_date: datetime.date | None = None
    site: str | None = text_field(Asset, "site", None)
    parent_id: int | None = None
    notes: str | None = None


class AssetOut(Schema):
    id: int
    customer_id: int
    product_id: int
    product_name: str
    serial_number: str
    install_date: datetime.date | None
    site: str
    parent_id: int | None
    last_serviced_on: datetime.date | None

    @staticmethod
    def resolve_product_name(obj: Asset) -> str:
        return obj.product.name


class AssetPageOut(Schema):
    items: list[AssetOut]
    next_cursor: str | None


class CoverageOut(Schema):
    covered: bool
    reason: str
    contract_id: int | None
    visits_left: int | None
    hours_left: Decimal | None
    on: datetime.date


class ContractIn(Schema):
    customer_id: int
    name: str = text_field(ServiceContract, "name")
    kind: str = "contract"
    starts_on: datetime.date
    ends_on: datetime.date
    asset_ids: list[int] = []
    product_ids: list[int] = []
    visits_included: int | None = None
    hours_included: Decimal | None = None
    sla_policy_id: int | None = None
    renewal_notice_days: int = 30


class ContractPatch(Schema):
    """The terms to change; what is left out stays (null: none, for the owner and the
    policy; unlimited, for visits and hours)."""

    name: str | None = text_field(ServiceContract, "name", None)
    owner_id: int | None = None
    sla_policy_id: int | None = None
    visits_included: int | None = None
    hours_included: Decimal | None = None
    renewal_notice_days: int | None = None


class ContractRenewIn(Schema):
    ends_on: datetime.date | None = None


class ContractExtendIn(Schema):
    ends_on: datetime.date


class ContractCancelIn(Schema):
    on: datetime.date
    reason: str


class ContractOut(Schema):
    id: int
    reference: str | None
    name: str
    kind: str
    status: str
    customer_id: int
    owner_id: int | None
    starts_on: datetime.date
    ends_on: datetime.date
    sla_policy_id: int | None
    visits_included: int | None
    visits_used: int
    hours_included: Decimal | None
    hours_used: Decimal
    asset_ids: list[int]
    product_ids: list[int]
    cancelled_on: datetime.date | None
    cancellation_reason: str
    renewed_from_id: int | None

    @staticmethod
    def resolve_asset_ids(obj: ServiceContract) -> list[int]:
        return [a.pk for a in obj.assets.all()]

    @staticmethod
    def resolve_product_ids(obj: ServiceContract) -> list[int]:
        return [p.pk for p in obj.products.all()]


class WorkOrderIn(Schema):
    customer_id: int | None = None
    asset_id: int | None = None
    case_id: int | None = None
    subject: str = text_field(WorkOrder, "subject")
    description: str = ""
    skill: str = text_field(WorkOrder, "skill", "")
    area: str = text_field(WorkOrder, "area", "")
    duration_minutes: int = 60
    checklist: list[str] | None = None


class WorkOrderOut(Schema):
    id: int
    reference: str | None
    customer_id: int
    asset_id: int | None
    case_id: int | None
    contract_id: int | None
    source: str
    subject: str
    description: str
    status: str
    skill: str
    area: str
    technician_id: int | None
    scheduled_start: datetime.datetime | None
    duration_minutes: int
    checklist: list[dict]
    minutes_spent: int | None
    signed_by: str
    signed_at: datetime.datetime | None
    completed_at: datetime.datetime | None


class WorkOrderPageOut(Schema):
    items: list[WorkOrderOut]
    next_cursor: str | None


class DispatchIn(Schema):
    technician_id: int | None = None
    scheduled_start: datetime.datetime | None = None
    day: datetime.date | None = None


class WorkOrderStatusIn(Schema):
    status: str


class PartUseIn(Schema):
    part_id: int
    quantity: int
    location_id: int | None = None


class PartMoveOut(Schema):
    id: int
    kind: str
    part_id: int
    from_location_id: int | None
    to_location_id: int | None
    quantity: int
    work_order_id: int | None
    at: datetime.datetime


class CompleteIn(Schema):
    minutes_spent: int
    checklist_done: list[int] = []
    notes: str = ""


class StockLevelOut(Schema):
    id: int
    location_id: int
    location_name: str
    part_id: int
    part_sku: str
    part_name: str
    quantity: int
    minimum: int
    below_minimum: bool

    @staticmethod
    def resolve_location_name(obj) -> str:
        return obj.location.name

    @staticmethod
    def resolve_part_sku(obj) -> str:
        return obj.part.sku

    @staticmethod
    def resolve_part_name(obj) -> str:
        return obj.part.name


class TransferIn(Schema):
    part_id: int
    from_location_id: int
    to_location_id: int
    quantity: int
