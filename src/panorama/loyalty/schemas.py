"""The loyalty API's shapes."""

import datetime
from decimal import Decimal

from ninja import Field, Schema

from panorama.core.validation import text_field

from .models import EarningRule, Programme

BIG = 10**9


class TierOut(Schema):
    id: int
    name: str
    threshold: int
    multiplier: Decimal
    benefits: str


class RewardOut(Schema):
    id: int
    name: str
    cost: int
    stock: int | None
    active: bool


class RuleOut(Schema):
    id: int
    name: str
    kind: str
    product_id: int | None
    category_id: int | None
    extra_points: int
    multiplier: Decimal
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    segment_id: int | None = Field(None, description="Only members in this segment earn it")
    active: bool


class RuleIn(Schema):
    kind: str = Field(..., description="product, category or campaign")
    name: str = text_field(EarningRule, "name")
    product_id: int | None = Field(None, ge=1, le=BIG)
    category_id: int | None = Field(None, ge=1, le=BIG)
    extra_points: int = Field(0, ge=0, le=BIG)
    multiplier: Decimal = Field(Decimal(1), ge=0, le=100)
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    segment_id: int | None = Field(
        None, ge=1, le=BIG, description="A marketing segment: only its members earn the rule"
    )


class RulePatch(Schema):
    """The fields to change (the others keep their values); null empties the product,
    category, dates or segment. Checked as at creation."""

    kind: str | None = Field(None, description="product, category or campaign")
    name: str | None = text_field(EarningRule, "name", None)
    product_id: int | None = Field(None, ge=1, le=BIG)
    category_id: int | None = Field(None, ge=1, le=BIG)
    extra_points: int | None = Field(None, ge=0, le=BIG)
    multiplier: Decimal | None = Field(None, ge=0, le=100)
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    segment_id: int | None = Field(
        None, ge=1, le=BIG, description="A marketing segment: only its members earn the rule"
    )


class ProgrammeOut(Schema):
    id: int
    name: str
    points_name: str
    currency: str
    points_per_unit: Decimal
    expiry_months: int
    qualification_months: int
    active: bool


class ProgrammeDetailOut(ProgrammeOut):
    tiers: list[TierOut]
    rules: list[RuleOut]
    rewards: list[RewardOut]

    @staticmethod
    def resolve_tiers(obj) -> list:
        return list(obj.tiers.all())

    @staticmethod
    def resolve_rules(obj) -> list:
        return list(obj.rules.all())

    @staticmethod
    def resolve_rewards(obj) -> list:
        return list(obj.rewards.all())


class ProgrammeIn(Schema):
    name: str = text_field(Programme, "name")
    points_name: str = text_field(Programme, "points_name", "puntos")
    currency: str = Field("EUR", max_length=3)
    points_per_unit: Decimal = Field(Decimal(1), ge=0, le=1000)
    expiry_months: int = Field(24, ge=0, le=240)
    qualification_months: int = Field(12, ge=1, le=120)
    active: bool = True


class MemberOut(Schema):
    id: int
    programme_id: int
    programme: str = Field(alias="programme.name")
    customer_id: int
    customer: str = Field(alias="customer.display_name")
    card_number: str
    tier_id: int | None
    tier: str | None = None
    balance: int
    enrolled_at: datetime.datetime

    @staticmethod
    def resolve_tier(obj) -> str | None:
        return obj.tier.name if obj.tier_id else None


class MemberPageOut(Schema):
    items: list[MemberOut]
    next_cursor: str | None


class MemberFilters(Schema):
    programme_id: int | None = Field(None, ge=1, le=BIG)
    cursor: str = ""
    limit: int = Field(50, ge=1, le=200)


class EnrolIn(Schema):
    programme_id: int = Field(..., ge=1, le=BIG)
    customer_id: int = Field(..., ge=1, le=BIG)


class MovementOut(Schema):
    id: int
    kind: str
    points: int
    balance_after: int
    occurred_at: datetime.datetime
    order_id: int | None
    reward_id: int | None
    reason: str
    by_id: int | None


class StatementOut(Schema):
    member: MemberOut
    since: datetime.date | None
    until: datetime.date | None
    totals: dict[str, int]
    items: list[MovementOut]
    next_cursor: str | None


class StatementFilters(Schema):
    since: datetime.date | None = None
    until: datetime.date | None = None
    kind: str = ""
    cursor: str = ""
    limit: int = Field(50, ge=1, le=200)


class RedeemIn(Schema):
    reward_id: int = Field(..., ge=1, le=BIG)


class AdjustIn(Schema):
    points: int = Field(..., ge=-BIG, le=BIG, description="+ to add, − to take")
    reason: str = Field(..., json_schema_extra={"maxLength": 200})


class StandingOut(Schema):
    membership_id: int = Field(alias="membership.pk")
    programme: str = Field(alias="membership.programme.name")
    card_number: str = Field(alias="membership.card_number")
    tier: str | None = None
    balance: int = Field(alias="membership.balance")
    qualifying: int
    next_tier: str | None = None
    to_next: int
    progress: int

    @staticmethod
    def resolve_tier(obj) -> str | None:
        tier = obj.membership.tier
        return tier.name if tier else None

    @staticmethod
    def resolve_next_tier(obj) -> str | None:
        return obj.next_tier.name if obj.next_tier else None


class ProgrammeRefOut(Schema):
    id: int
    name: str


class LoyaltyPanelOut(Schema):
    standings: list[StandingOut]
    programmes: list[ProgrammeRefOut]
