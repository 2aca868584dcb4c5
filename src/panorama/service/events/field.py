"""The field service's events: installed base, contracts, work orders, parts, defects."""

from pydantic import Field

from panorama.core.events import Payload, event


@event("asset.updated")
class AssetUpdated(Payload):
    """An asset of the installed base was changed (product, serial number, install
    date, location, the asset it is part of, notes)."""

    asset_id: int = Field(description="the asset")
    customer_id: int = Field(description="its customer")
    fields: list[str] = Field(description="the fields that changed")
    by: int | None = Field(description="who changed it (null: the system)")


@event("asset.registered")
class AssetRegistered(Payload):
    """An asset was recorded in a customer's installed base."""

    asset_id: int = Field(description="the asset")
    customer_id: int = Field(description="its customer")
    product_id: int = Field(description="its product")
    parent_id: int | None = Field(description="the asset it is a component of (null: none)")
    by: int | None = Field(description="who recorded it (null: the system)")


@event("contract.created")
class ContractCreated(Payload):
    """A service contract or warranty was created for a customer."""

    contract_id: int = Field(description="the contract")
    customer_id: int = Field(description="its customer")
    kind: str = Field(description="contract or warranty")
    ends_on: str = Field(description="its last day (ISO 8601)")
    by: int | None = Field(description="who created it (null: the system)")


@event("contract.updated")
class ContractUpdated(Payload):
    """A contract's terms were changed (name, owner, SLA policy, visits or hours
    included, renewal notice); its period is changed by an extension or a cancellation."""

    contract_id: int = Field(description="the contract")
    customer_id: int = Field(description="its customer")
    fields: list[str] = Field(description="the fields that changed")
    cases_recounted: int = Field(
        0, description="open cases of its period whose SLA was counted again (a new policy)"
    )
    by: int | None = Field(description="who changed it (null: the system)")


@event("contract.renewal_due")
class ContractRenewalDue(Payload):
    """A contract ends within its renewal notice: its owner was told (once)."""

    contract_id: int = Field(description="the contract")
    customer_id: int = Field(description="its customer")
    owner_id: int | None = Field(description="who was told (null: no owner)")
    ends_on: str = Field(description="its last day (ISO 8601)")


@event("contract.renewed")
class ContractRenewed(Payload):
    """A contract was renewed: a new contract for the next period with the same terms."""

    contract_id: int = Field(description="the new contract")
    renewed_from: int = Field(description="the contract it renews")
    customer_id: int = Field(description="its customer")
    starts_on: str = Field(description="its first day (ISO 8601)")
    ends_on: str = Field(description="its last day (ISO 8601)")
    cases_recounted: int = Field(
        0, description="open cases opened since the old end whose SLA it now gives"
    )
    by: int | None = Field(description="who renewed it (null: the system)")


@event("contract.extended")
class ContractExtended(Payload):
    """A contract's end was moved later."""

    contract_id: int = Field(description="the contract")
    customer_id: int = Field(description="its customer")
    from_ends_on: str = Field(description="the last day it had (ISO 8601)")
    ends_on: str = Field(description="its new last day (ISO 8601)")
    cases_recounted: int = Field(
        0, description="open cases opened after the old end whose SLA it now gives"
    )
    by: int | None = Field(description="who extended it (null: the system)")


@event("contract.cancelled")
class ContractCancelled(Payload):
    """A contract was cancelled: from ``cancelled_on`` it covers nothing."""

    contract_id: int = Field(description="the contract")
    customer_id: int = Field(description="its customer")
    cancelled_on: str = Field(description="the first day it no longer covers (ISO 8601)")
    reason: str = Field(description="why")
    cases_retargeted: int = Field(description="open cases that lost its SLA policy")
    by: int | None = Field(description="who cancelled it (null: the system)")


@event("work_order.created")
class WorkOrderCreated(Payload):
    """A work order was created (from a case, a maintenance plan or by hand)."""

    work_order_id: int = Field(description="the work order")
    customer_id: int = Field(description="its customer")
    asset_id: int | None = Field(description="the asset to work on (null: none)")
    case_id: int | None = Field(description="the case it comes from (null: none)")
    source: str = Field(description="manual, case or plan")
    covered: bool = Field(description="whether a contract or warranty covers the asset")
    by: int | None = Field(description="who created it (null: the maintenance sweep)")


@event("work_order.dispatched")
class WorkOrderDispatched(Payload):
    """A work order was given to a technician and scheduled (or taken back)."""

    work_order_id: int = Field(description="the work order")
    technician_id: int | None = Field(description="the technician (null: unassigned)")
    scheduled_start: str | None = Field(description="when it is planned (ISO 8601)")
    by: int | None = Field(description="the dispatcher")


@event("work_order.status_changed")
class WorkOrderStatusChanged(Payload):
    """A work order changed status (scheduled, in progress, done, cancelled)."""

    work_order_id: int = Field(description="the work order")
    customer_id: int = Field(description="its customer")
    from_status: str = Field(description="the status it had")
    to_status: str = Field(description="the status it has now")
    technician_id: int | None = Field(description="its technician")
    by: int | None = Field(description="who changed it (null: the system)")


@event("work_order.signed")
class WorkOrderSigned(Payload):
    """The customer signed the work order on the technician's phone."""

    work_order_id: int = Field(description="the work order")
    signed_by: str = Field(description="the name of who signed")
    by: int | None = Field(description="the technician")


@event("work_order.part_used")
class WorkOrderPartUsed(Payload):
    """Parts were used on a work order (taken from a van or a warehouse)."""

    work_order_id: int = Field(description="the work order")
    part_id: int = Field(description="the part")
    location_id: int = Field(description="where it was taken from")
    quantity: int = Field(description="how many")
    by: int | None = Field(description="the technician")


@event("work_order.completed")
class WorkOrderCompleted(Payload):
    """A work order was completed: on the customer's timeline and the asset's history."""

    work_order_id: int = Field(description="the work order")
    customer_id: int = Field(description="its customer")
    asset_id: int | None = Field(description="the asset worked on")
    technician_id: int | None = Field(description="the technician")
    minutes_spent: int = Field(description="time spent")
    contract_id: int | None = Field(description="the contract charged (null: billable)")
    by: int | None = Field(description="who completed it")


@event("stock.transferred")
class StockTransferred(Payload):
    """Parts moved from one stock location to another."""

    part_id: int = Field(description="the part")
    from_location_id: int = Field(description="the origin")
    to_location_id: int = Field(description="the destination")
    quantity: int = Field(description="how many")
    by: int | None = Field(description="who moved them")


@event("stock.low")
class StockLow(Payload):
    """A part fell below its reorder minimum at a location (alerted once until restocked)."""

    part_id: int = Field(description="the part")
    location_id: int = Field(description="the location")
    quantity: int = Field(description="what is left")
    minimum: int = Field(description="the reorder minimum")


@event("defect.reported")
class DefectReported(Payload):
    """A defect of a product was recorded."""

    defect_id: int = Field(description="the new defect")
    product_id: int = Field(description="the product it is in")
    severity: str = Field(description="minor, major or critical")
    by: int | None = Field(description="who reported it (null: the system)")


@event("defect.status_changed")
class DefectStatusChanged(Payload):
    """A defect moved along its lifecycle (confirmed, fixed, closed, rejected)."""

    defect_id: int = Field(description="the defect")
    from_status: str = Field(description="the status it had")
    to_status: str = Field(description="the status it has now")
    by: int | None = Field(description="who changed it (null: the system)")
