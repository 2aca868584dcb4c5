"""API schemas of customers: explicit In/Out shapes, never all model fields."""

import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema


class IdentityIn(Schema):
    kind: str = Field(
        ..., description="national_id, phone, email, loyalty_card, pin, cookie, external_id"
    )
    value: str = Field(..., max_length=255)
    label: str = Field("", max_length=40)
    is_primary: bool = False


class IdentityOut(Schema):
    id: int
    kind: str
    value: str = Field(..., alias="display_value")
    label: str
    is_primary: bool
    verified: bool


class AddressIn(Schema):
    line1: str = Field(..., max_length=200)
    kind: str = "home"
    line2: str = Field("", max_length=200)
    postal_code: str = Field("", max_length=16)
    city: str = Field("", max_length=100)
    region: str = Field("", max_length=100)
    country: str = Field("ES", max_length=2)
    is_primary: bool = False


class AddressOut(Schema):
    id: int
    kind: str
    line1: str
    line2: str
    postal_code: str
    city: str
    region: str
    country: str
    is_primary: bool


class UserRef(Schema):
    id: int
    username: str
    name: str = Field("", alias="get_full_name")


class TeamRef(Schema):
    id: int
    name: str


class CustomerIn(Schema):
    kind: str = "person"
    status: str = "active"
    first_name: str = Field("", max_length=100)
    last_name: str = Field("", max_length=150)
    legal_name: str = Field("", max_length=200)
    birth_date: datetime.date | None = None
    language: str = Field("", max_length=8)
    notes: str = ""
    owner_id: int | None = None
    team_id: int | None = None
    custom_fields: dict[str, Any] = {}
    identities: list[IdentityIn] = []
    addresses: list[AddressIn] = []


class CustomerPatch(Schema):
    # Leave a field out to keep it. Null clears the fields that can be empty; a customer
    # always has a kind and a status, so those two are never null.
    kind: str = None
    status: str = None
    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=150)
    legal_name: str | None = Field(None, max_length=200)
    birth_date: datetime.date | None = None
    language: str | None = Field(None, max_length=8)
    notes: str | None = None
    owner_id: int | None = None
    team_id: int | None = None
    custom_fields: dict[str, Any] | None = None


class CustomerOut(Schema):
    id: int
    kind: str
    status: str
    display_name: str
    first_name: str
    last_name: str
    legal_name: str
    birth_date: datetime.date | None
    language: str
    owner: UserRef | None
    team: TeamRef | None
    custom_fields: dict[str, Any]
    created_at: datetime.datetime
    updated_at: datetime.datetime


class CustomerListItem(Schema):
    id: int
    kind: str
    status: str
    display_name: str
    owner_id: int | None
    team_id: int | None


class CustomerPageOut(Schema):
    items: list[CustomerListItem]
    next_cursor: str | None


class IdentifyMatchOut(Schema):
    customer: CustomerListItem
    matched_kind: str
    matched_value: str


class IdentifyOut(Schema):
    status: str = Field(..., description="found, ambiguous or not_found")
    matches: list[IdentifyMatchOut]


class GroupIn(Schema):
    name: str = Field(..., max_length=200)
    kind: str


class MemberIn(Schema):
    customer_id: int
    role: str = "member"
    since: datetime.date | None = None


class MemberOut(Schema):
    id: int
    customer_id: int
    customer_name: str
    role: str
    since: datetime.date | None


class GroupOut(Schema):
    id: int
    name: str
    kind: str
    members: list[MemberOut] = []


class CustomerGroupOut(Schema):
    id: int
    name: str
    kind: str
    role: str | None
    members: list[MemberOut]


class HoldingIn(Schema):
    product_code: str = Field(..., max_length=50)
    product_name: str = Field(..., max_length=200)
    category: str = Field("", max_length=100)
    status: str = "active"
    conditions: dict[str, Any] = {}
    start_date: datetime.date
    end_date: datetime.date | None = None
    price: Decimal = Decimal("0")
    currency: str = Field("EUR", max_length=3)
    external_id: str = Field("", max_length=100)


class HoldingOut(Schema):
    id: int
    product_code: str
    product_name: str
    category: str
    status: str
    conditions: dict[str, Any]
    start_date: datetime.date
    end_date: datetime.date | None
    price: Decimal
    currency: str


class BillingIncidentIn(Schema):
    kind: str
    reference: str = Field(..., max_length=60)
    amount: Decimal
    due_date: datetime.date | None = None
    notes: str = ""


class BillingIncidentOut(Schema):
    id: int
    kind: str
    reference: str
    amount: Decimal
    currency: str
    due_date: datetime.date | None
    status: str


class ConsentIn(Schema):
    purpose: str
    channel: str = "any"
    granted: bool
    source: str = Field("", max_length=100)


class ConsentOut(Schema):
    id: int
    purpose: str
    channel: str
    granted: bool
    source: str
    at: datetime.datetime


class FieldChangeOut(Schema):
    field: str
    old_value: str
    new_value: str
    changed_by_id: int | None
    changed_at: datetime.datetime
    reason: str = Field(
        "", description="import, import undone, merge, merge undone; empty for an edit"
    )


class PanelOut(Schema):
    key: str
    title: str
    data: Any


class Customer360Out(Schema):
    customer: CustomerOut
    identities: list[IdentityOut]
    addresses: list[AddressOut]
    groups: list[CustomerGroupOut]
    holdings: list[HoldingOut]
    billing_incidents: list[BillingIncidentOut]
    consents: list[ConsentOut]
    panels: list[PanelOut]
