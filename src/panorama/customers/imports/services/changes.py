"""What an import may change on a customer it updates, and what its undo restores."""

import datetime
from typing import Any

from panorama.customers.models import Customer

# The fields an import may change on an existing customer, and what undo restores.
RESTORED_FIELDS = [
    "kind",
    "status",
    "first_name",
    "last_name",
    "legal_name",
    "display_name",
    "search_name",
    "search_last",
    "birth_date",
    "notes",
    "custom_fields",
]


def snapshot_of(customer: Customer) -> dict[str, Any]:
    data = {name: getattr(customer, name) for name in RESTORED_FIELDS}
    data["birth_date"] = customer.birth_date.isoformat() if customer.birth_date else None
    return data


def snapshot_restore(customer: Customer, before: dict[str, Any]) -> None:
    for name in RESTORED_FIELDS:
        if name in before:
            value = before[name]
            if name == "birth_date" and value:
                value = datetime.date.fromisoformat(value)
            setattr(customer, name, value)
