"""API schemas of customers: explicit In/Out shapes, never all model fields."""

import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from panorama.core.validation import text_field

from .models import (
    Address,
    BillingIncident,
    Consent,
    Customer,
    CustomFieldDefinition,
    Group,
    Holding,
    Identity,
)


class IdentityIn(Schema):
    kind: str = Field(
        ..., description="national_id, phone, email, loyalty_card, pin, cookie, external_id"
    )
    value: str = text_field(Identity, "value", ...)
    label: str = text_field(Identity, "label", "")
    is_primary: bool = False


class IdentityOut(Schema):
    id: int
    kind: str
    value: str = Field(..., alias="display_value")
    label: str
    is_primary: bool
    verified: bool


class AddressIn(Schema):
    line1: str = text_field(Address, "line1", "")  # a city or postal code alone is an address
    kind: str = "home"
    line2: str = text_field(Address, "line2", "")
    postal_code: str = text_field(Address, "postal_code", "")
    city: str = text_field(Address, "city", "")
    region: str = text_field(Address, "region", "")
    country: str = text_field(Address, "country", "ES")
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
    first_name: str = text_field(Customer, "first_name", "")
    last_name: str = text_field(Customer, "last_name", "")
    legal_name: str = text_field(Customer, "legal_name", "")
    birth_date: datetime.date | None = None
    language: str = text_field(Customer, "language", "")
    notes: str = ""
    owner_id: int | None = None
    team_id: int | None = None
    custom_fields: dict[str, Any] = {}
    identities: list[IdentityIn] = []
    addresses: list[AddressIn] = []


class CustomerPatch(Schema):
    # Leave a field out to keep it. Null clears the fields that can be empty; a customer
    # always has a kind and a status, so those two are never null.
    kind: str = None  # type: ignore[assignment]  # may be left out, never null
    status: str = None  # type: ignore[assignment]
    first_name: str | None = text_field(Customer, "first_name", None)
    last_name: str | None = text_field(Customer, "last_name", None)
    legal_name: str | None = text_field(Customer, "legal_name", None)
    birth_date: datetime.date | None = None
    language: str | None = text_field(Customer, "language", None)
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
    name: str = text_field(Group, "name", ...)
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
    product_code: str = text_field(Holding, "product_code", ...)
    product_name: str = text_field(Holding, "product_name", ...)
    category: str = text_field(Holding, "category", "")
    status: str = "active"
    conditions: dict[str, Any] = {}
    start_date: datetime.date
    end_date: datetime.date | None = None
    price: Decimal = Decimal("0")
    currency: str = text_field(Holding, "currency", "EUR")
    external_id: str = text_field(Holding, "external_id", "")


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
    reference: str = text_field(BillingIncident, "reference", ...)
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
    resolved_at: datetime.datetime | None


class ConsentIn(Schema):
    purpose: str
    channel: str = "any"
    granted: bool
    source: str = text_field(Consent, "source", "")


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


class ExportQuery(Schema):
    """The filters of the customer list, as query parameters (the export takes these)."""

    search: str = ""
    kind: str = ""
    status: str = ""
    owner_id: int | None = None
    team_id: int | None = None


class ListFilters(ExportQuery):
    """The list's filters plus custom-field filters (key=value) and the page."""

    custom: list[str] = []
    cursor: str = ""
    limit: int = 50


# --- custom field definitions (administrators) -----------------------------------------

_POSITION = Field(0, ge=0, le=2_147_483_647, description="the order on forms and the ficha")


class CustomFieldOut(Schema):
    id: int
    key: str
    label: str
    type: str
    choices: list[str]
    required: bool
    searchable: bool
    position: int
    active: bool = Field(description="false: hidden and refused on write; values kept")


class CustomFieldPageOut(Schema):
    items: list[CustomFieldOut]
    next_cursor: str | None


class CustomFieldQuery(Schema):
    active: bool | None = Field(None, description="true: active fields; false: inactive")
    type: CustomFieldDefinition.Type | None = None
    cursor: str = ""
    limit: int = Field(50, ge=1, le=200)


class CustomFieldIn(Schema):
    key: str = text_field(CustomFieldDefinition, "key")
    label: str = text_field(CustomFieldDefinition, "label")
    type: CustomFieldDefinition.Type = CustomFieldDefinition.Type.TEXT
    choices: list[str] = Field([], description="a choice field's choices")
    required: bool = False
    searchable: bool = False
    position: int = _POSITION


class CustomFieldPatch(Schema):
    """The key and the type are fixed once the field exists: sending them is a 422."""

    model_config = {"extra": "forbid"}

    label: str | None = text_field(CustomFieldDefinition, "label", None)
    choices: list[str] | None = None
    required: bool | None = None
    searchable: bool | None = None
    position: int | None = Field(None, ge=0, le=2_147_483_647)
    active: bool | None = Field(None, description="false deactivates, true reactivates")
