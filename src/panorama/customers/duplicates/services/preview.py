"""What a merge would do, shown before it is done: computed by the merge's own rules
(``merge._fill_survivor`` for the fields, the merge registry for the rows), reading only."""

import copy
import datetime
from typing import Any

from django.utils.formats import date_format

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.customers.models import Customer

from .merge import FILLED, _fill_survivor, customer_links


def merge_outcome(*, survivor: Customer, merged: Customer) -> Customer:
    """The survivor as a merge would leave it (an unsaved copy): what the preview shows,
    computed by the same rule the merge applies."""
    result = copy.copy(survivor)
    result.custom_fields = dict(survivor.custom_fields or {})
    _fill_survivor(result, merged)
    return result


def merge_moves(*, merged: Customer) -> dict[str, int]:
    """How many rows of each kind would move from ``merged``: one count per link."""
    counts: dict[str, int] = {}
    for model, field in customer_links():
        if model is Customer:
            continue
        count = model._base_manager.filter(**{field.attname: merged.pk}).count()
        if count:
            counts[str(model._meta.verbose_name_plural)] = count
    return counts


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def merge_preview(*, survivor: Customer, merged: Customer, by: User | None) -> dict[str, Any]:
    """What merging ``merged`` into ``survivor`` would do, for the user to check first:
    each field side by side with the value the survivor ends with (and whether it
    changes), and the rows that would move. Reads only; for who may merge."""
    ensure_can(by, "customers.merge")
    outcome = merge_outcome(survivor=survivor, merged=merged)
    rows = []
    for name in ["display_name", *FILLED]:
        attr = name.removesuffix("_id")
        label = getattr(Customer._meta.get_field(attr), "verbose_name", attr)
        values = [getattr(c, attr) for c in (survivor, merged, outcome)]
        shown = [_shown(v) for v in values]
        rows.append(
            {
                "label": label,
                "survivor": shown[0],
                "merged": shown[1],
                "result": shown[2],
                "changes": shown[0] != shown[2],
            }
        )
    custom = sorted(set(survivor.custom_fields or {}) | set(merged.custom_fields or {}))
    for key in custom:
        values = [(c.custom_fields or {}).get(key) for c in (survivor, merged, outcome)]
        shown = [_shown(v) for v in values]
        rows.append(
            {
                "label": key,
                "survivor": shown[0],
                "merged": shown[1],
                "result": shown[2],
                "changes": shown[0] != shown[2],
            }
        )
    return {"fields": rows, "moves": merge_moves(merged=merged)}
