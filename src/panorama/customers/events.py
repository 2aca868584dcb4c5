"""The events the customers app emits: names and payloads (see core.events, docs/events.md)."""

from pydantic import Field

from panorama.core.events import Payload, event


def _by():
    return Field(description="the user who did it (null: the system or the shell)")


def _customer():
    return Field(description="the customer concerned")


@event("customer.created")
class CustomerCreated(Payload):
    """A customer was created by hand (web form, API, shell); imports emit `customer.imported`."""

    customer_id: int = _customer()
    by: int | None = _by()


@event("customer.updated")
class CustomerUpdated(Payload):
    """Fields of a customer changed (only when something really changed)."""

    customer_id: int = _customer()
    fields: list[str] = Field(description="the names of the fields that changed")
    by: int | None = _by()


@event("customer.imported")
class CustomersImported(Payload):
    """An import wrote customers: one event per written batch, not one per customer."""

    job_id: int = Field(description="the import job")
    created_ids: list[int] = Field(description="the customers this batch created")
    updated_ids: list[int] = Field(description="the customers this batch changed")
    by: int | None = _by()


@event("customer.identity_added")
class IdentityAdded(Payload):
    """An identifier (national id, phone, e-mail, card, PIN...) was added to a customer."""

    customer_id: int = _customer()
    identity_id: int = Field(description="the new identity")
    kind: str = Field(description="national_id, phone, email, loyalty_card, pin, cookie...")
    by: int | None = _by()


@event("customer.identity_removed")
class IdentityRemoved(Payload):
    """An identifier was removed from a customer."""

    customer_id: int = _customer()
    identity_id: int = Field(description="the removed identity (no longer exists)")
    kind: str = Field(description="its kind")
    by: int | None = _by()


@event("customer.address_added")
class AddressAdded(Payload):
    """An address was added to a customer."""

    customer_id: int = _customer()
    address_id: int = Field(description="the new address")
    by: int | None = _by()


@event("customer.address_updated")
class AddressUpdated(Payload):
    """An address of a customer was changed."""

    customer_id: int = _customer()
    address_id: int = Field(description="the address")
    by: int | None = _by()


@event("customer.address_removed")
class AddressRemoved(Payload):
    """An address was removed from a customer."""

    customer_id: int = _customer()
    address_id: int = Field(description="the removed address (no longer exists)")
    by: int | None = _by()


@event("customer.merged")
class CustomerMerged(Payload):
    """Two customers were merged: the merged one now points at the survivor."""

    merge_id: int = Field(description="the merge record (undo goes through it)")
    customer_id: int = Field(description="the survivor")
    merged_id: int = Field(description="the customer merged away")
    by: int | None = _by()


@event("customer.merge_undone")
class CustomerMergeUndone(Payload):
    """A merge was undone: both customers are separate again."""

    merge_id: int = Field(description="the merge record")
    customer_id: int = Field(description="the former survivor")
    merged_id: int = Field(description="the customer restored")
    by: int | None = _by()


@event("group.created")
class GroupCreated(Payload):
    """A family or business group was created."""

    group_id: int = Field(description="the new group")
    by: int | None = _by()


@event("group.member_added")
class GroupMemberAdded(Payload):
    """A customer joined a group."""

    group_id: int = Field(description="the group")
    customer_id: int = _customer()
    role: str = Field(description="head, partner, child, owner, director, employee, member...")
    by: int | None = _by()


@event("group.member_removed")
class GroupMemberRemoved(Payload):
    """A customer left a group."""

    group_id: int = Field(description="the group")
    customer_id: int = _customer()
    by: int | None = _by()


@event("holding.added")
class HoldingAdded(Payload):
    """A product or service was recorded as contracted by a customer."""

    customer_id: int = _customer()
    holding_id: int = Field(description="the new holding")
    by: int | None = _by()


@event("billing.incident_opened")
class BillingIncidentOpened(Payload):
    """A billing incident (unpaid invoice, returned payment, dispute) was opened."""

    customer_id: int = _customer()
    incident_id: int = Field(description="the incident")
    by: int | None = _by()


@event("billing.incident_resolved")
class BillingIncidentResolved(Payload):
    """An open billing incident was resolved."""

    customer_id: int = _customer()
    incident_id: int = Field(description="the incident")
    by: int | None = _by()


@event("consent.given")
class ConsentGiven(Payload):
    """A customer granted a consent for a purpose on a channel."""

    customer_id: int = _customer()
    consent_id: int = Field(description="the consent record")
    purpose: str = Field(description="marketing, profiling, third_party, service")
    channel: str = Field(description="any, email, sms, phone, post")
    by: int | None = _by()


@event("consent.withdrawn")
class ConsentWithdrawn(Payload):
    """A customer withdrew (or refused) a consent for a purpose on a channel."""

    customer_id: int = _customer()
    consent_id: int = Field(description="the consent record")
    purpose: str = Field(description="marketing, profiling, third_party, service")
    channel: str = Field(description="any, email, sms, phone, post")
    by: int | None = _by()


@event("duplicate.dismissed")
class DuplicateDismissed(Payload):
    """A possible duplicate pair was judged not to be the same customer."""

    candidate_id: int = Field(description="the candidate pair")
    customer_ids: list[int] = Field(description="the two customers")
    by: int | None = _by()


@event("duplicate.scan_finished")
class DuplicateScanFinished(Payload):
    """A duplicate scan stored the pairs it found (a whole scan, or one after an import)."""

    customer_ids: list[int] | None = Field(
        description="the customers the scan looked at (null: every customer)"
    )
    open: int = Field(description="pairs waiting for review after the scan")


@event("import.queued")
class ImportQueued(Payload):
    """An import's file was checked and its mapping settled: it waits for the worker."""

    job_id: int = Field(description="the import job")
    by: int | None = _by()


@event("import.failed")
class ImportFailed(Payload):
    """An import stopped before its end (the rows written so far stay, with their undo)."""

    job_id: int = Field(description="the import job")
    error: str = Field(description="why, in the importer's language")
    by: int | None = _by()


@event("import.finished")
class ImportFinished(Payload):
    """An import job finished: its counts."""

    job_id: int = Field(description="the import job")
    created: int = Field(description="customers created")
    updated: int = Field(description="customers updated")
    unchanged: int = Field(description="rows that changed nothing")
    rejected: int = Field(description="rows refused, with their reasons in the job")
    by: int | None = _by()


@event("import.undone")
class ImportUndone(Payload):
    """An import was undone (its last batch committed): what it created and nobody used
    since is deleted, what it updated and nobody changed since restored."""

    job_id: int = Field(description="the import job")
    deleted: int = Field(description="created customers deleted")
    restored: int = Field(description="updated customers given (some of) their values back")
    kept: int = Field(description="created customers kept: records were added to them since")
    conflicts: int = Field(description="changes not undone: changed since (the undo report)")
    by: int | None = _by()


@event("custom_field.created")
class CustomFieldCreated(Payload):
    """An administrator defined a new custom field of customers."""

    field_id: int = Field(description="the definition")
    key: str = Field(description="its key (the API's and the import's name for it)")
    type: str = Field(description="text, integer, decimal, date, boolean or choice")
    by: int | None = Field(description="the administrator (null: the system)")


@event("custom_field.updated")
class CustomFieldUpdated(Payload):
    """A custom field's label, choices, position, required / searchable flags, or
    whether it is active (deactivated or reactivated: `fields` is `["active"]`) changed."""

    field_id: int = Field(description="the definition")
    key: str = Field(description="its key")
    fields: list[str] = Field(description="what changed")
    by: int | None = Field(description="the administrator (null: the system)")
