"""A customer's field history as a reader sees it: the latest changes (one query) with
each field's label, its coded values spelt out and the reason, in the reader's language.
The labels serve the import's and the merge's undo reports too (``history_label``)."""

from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from panorama.core.models import FieldChange

from .models import Address, Customer, Identity


def customer_field_history(*, customer_id: int, limit: int = 20) -> list[FieldChange]:
    """The latest changes to a customer and its attached records: one query.

    Each change also carries ``label``, the field's name in the reader's language, and
    ``old_text`` / ``new_text``, its values with coded choices (kind, status) spelt out.
    """
    changes = list(
        FieldChange.objects.filter(customer_id=customer_id)
        .select_related("changed_by")
        .order_by("-changed_at", "-id")[: max(1, min(limit, 200))]
    )
    reasons = history_reasons()
    for change in changes:
        label, choices = history_field(change.field)
        vars(change).update(  # display attributes, not columns: the template and API read them
            label=label,
            old_text=choices.get(change.old_value, change.old_value),
            new_text=choices.get(change.new_value, change.new_value),
            reason_text=reasons.get(change.reason, change.reason),
        )
    return changes


def history_reasons() -> dict[str, str]:
    """The reasons the services give a FieldChange, in the reader's language (a plain
    edit has none)."""
    return {
        "import": _("Import"),
        "import undone": _("Import undone"),
        "merge": _("Merge"),
        "merge undone": _("Merge undone"),
        "portal": _("By the customer, in the customer portal"),
    }


def history_label(key: str) -> str:
    """A field-history or undo-report key as a label ("custom_fields.<key>" included)."""
    if key.startswith("custom_fields."):
        return key.removeprefix("custom_fields.")
    return str(history_field(key)[0])


def history_field(key: str) -> tuple[str, dict[str, str]]:
    """The label of a FieldChange key and the labels of its coded values.

    Keys are Customer fields, ``identity:<kind>``, ``address`` and ``merged_from`` (see
    the services that call ``field_history_record``).
    """
    if key.startswith("identity:"):
        kind = key.removeprefix("identity:")
        return str(capfirst(dict(Identity.Kind.choices).get(kind, kind))), {}
    if key == "address":
        return str(capfirst(Address._meta.verbose_name)), {}
    if key == "merged_from":
        return str(capfirst(_("merged customer"))), {}
    try:
        field = Customer._meta.get_field(key)
    except FieldDoesNotExist:
        return key, {}
    choices = dict(getattr(field, "choices", None) or [])
    return str(capfirst(getattr(field, "verbose_name", key))), choices
