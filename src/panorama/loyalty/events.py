"""The events the loyalty app emits (see core.events, docs/events.md)."""

from pydantic import Field

from panorama.core.events import Payload, event


@event("loyalty.programme_saved")
class ProgrammeSaved(Payload):
    """A loyalty programme was created or changed (its tiers, rules or rewards too)."""

    programme_id: int = Field(description="the programme")
    by: int | None = Field(description="who changed it")


@event("loyalty.member_enrolled")
class MemberEnrolled(Payload):
    """A customer joined a loyalty programme and was given a card."""

    membership_id: int = Field(description="the membership")
    programme_id: int = Field(description="the programme")
    customer_id: int = Field(description="the customer")
    card_number: str = Field(description="the card number (also an identity of the customer)")
    by: int | None = Field(description="who enrolled him")


@event("loyalty.points_moved")
class PointsMoved(Payload):
    """Points were earned, redeemed, expired, adjusted or reversed on a member's account."""

    membership_id: int = Field(description="the membership")
    customer_id: int = Field(description="the customer")
    movement_id: int = Field(description="the ledger entry")
    kind: str = Field(description="earn, redeem, expire, adjust or reverse")
    points: int = Field(description="the points (+ credit, - debit)")
    balance: int = Field(description="the balance after it")
    order_id: int | None = Field(description="the order that earned (or reversed) them")
    reward_id: int | None = Field(description="the reward redeemed")
    by: int | None = Field(description="who did it (null: the system)")


@event("loyalty.tier_changed")
class TierChanged(Payload):
    """A member moved to another tier (up after earning, down in the daily sweep)."""

    membership_id: int = Field(description="the membership")
    customer_id: int = Field(description="the customer")
    from_tier_id: int | None = Field(description="the tier he left (null: none)")
    to_tier_id: int | None = Field(description="the tier he is in now (null: none)")
