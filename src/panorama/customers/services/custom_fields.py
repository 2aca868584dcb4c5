"""Custom field values: coerced and validated by the Django form field each definition
describes, so every type gets Django's own rules and messages, in the user's language."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import ValidationFailed
from panorama.core.services import audit_record
from panorama.core.validation import model_clean

from ..models import Customer, CustomFieldDefinition

Type = CustomFieldDefinition.Type
TEXT_MAX_LENGTH = 1000
_TRUE = {"1", "true", "yes", "y", "si", "sí", "x"}
_FALSE = {"0", "false", "no", "n"}


class YesNoField(forms.Field):
    """True or false, from a JSON boolean or the words a spreadsheet holds (yes/no,
    sí/no, true/false, 1/0, x). Empty is "no value", not false."""

    default_error_messages = {
        "invalid": gettext_lazy("Give yes or no (yes, no, true, false, 1, 0)."),
    }

    def to_python(self, value: Any) -> bool | None:
        if value in self.empty_values:
            return None
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise DjangoValidationError(self.error_messages["invalid"], code="invalid")


def _build(definition: CustomFieldDefinition) -> forms.Field:
    required = definition.required
    match definition.type:
        case Type.INTEGER:
            return forms.IntegerField(required=required)
        case Type.DECIMAL:
            return forms.DecimalField(required=required)
        case Type.DATE:
            # ISO only: "05/06/2024" means a different day to a Spaniard and an American.
            return forms.DateField(required=required, input_formats=["%Y-%m-%d"])
        case Type.BOOLEAN:
            return YesNoField(required=required)
        case Type.CHOICE:
            choices = [(choice, choice) for choice in definition.choices]
            return forms.ChoiceField(required=required, choices=choices)
    return forms.CharField(required=required, max_length=TEXT_MAX_LENGTH)


def form_field(definition: CustomFieldDefinition) -> forms.Field:
    """The form field of ``definition``, built once per loaded definition (the import
    checks thousands of rows against the same few)."""
    field = definition.__dict__.get("_form_field")
    if field is None:
        field = definition.__dict__["_form_field"] = _build(definition)
    return field


def _to_json(definition: CustomFieldDefinition, value: Any) -> Any:
    if value is None or value == "":
        return None  # no value: the key is left out
    if definition.type == Type.DECIMAL:
        return str(value)
    if definition.type == Type.DATE:
        return value.isoformat()
    return value


def custom_field_clean(definition: CustomFieldDefinition, raw: Any) -> Any:
    """The JSON value stored for ``raw`` in ``definition`` (None: no value); raises
    ValidationFailed with the field's label and Django's message for its type."""
    try:
        if isinstance(raw, (dict, list)):  # no type of custom field holds a structure
            raise DjangoValidationError(_("Invalid value."))
        value = form_field(definition).clean(raw)
    except DjangoValidationError as exc:
        message = exc.messages[0]
        raise ValidationFailed(
            _("%(field)s: %(message)s") % {"field": definition.label, "message": message},
            field=definition.key,
            errors={definition.key: [message]},
        ) from None
    return _to_json(definition, value)


def _unchanged(given: Any, held: Any) -> bool:
    return given == held or (given in (None, "") and held in (None, ""))


def custom_fields_clean(
    values: dict[str, Any],
    *,
    existing: dict[str, Any] | None = None,
    partial: bool = False,
    definitions: dict[str, CustomFieldDefinition] | None = None,
) -> dict[str, Any]:
    """Validate a whole set of custom values against the administrators' definitions.

    ``definitions`` (key → definition) spares the query when a caller validates many
    records in a row, as the import does. ``partial``: only the keys given change (an
    update); otherwise every required field must have a value.
    """
    if definitions is None:
        definitions = {d.key: d for d in CustomFieldDefinition.objects.all()}
    unknown = sorted(set(values) - set(definitions))
    if unknown:
        raise ValidationFailed(
            _("Unknown custom field: %(keys)s.") % {"keys": ", ".join(unknown)}, field=unknown[0]
        )
    # A client that sends back the record it read (the API shows inactive fields' held
    # values) is not refused for them: only a change to an inactive field is.
    held = existing or {}
    inactive = sorted(
        key
        for key in values
        if not definitions[key].active and not _unchanged(values[key], held.get(key))
    )
    if inactive:
        raise ValidationFailed(
            _("The custom field %(label)s is inactive: an administrator must reactivate it first.")
            % {"label": definitions[inactive[0]].label},
            field=inactive[0],
        )
    # The values held for inactive fields stay in ``existing``, untouched.
    result = dict(existing or {})
    for key, definition in definitions.items():
        if not definition.active:
            continue
        if key in values:
            cleaned = custom_field_clean(definition, values[key])
            if cleaned is None:
                result.pop(key, None)
            else:
                result[key] = cleaned
        elif not partial and definition.required and key not in result:
            custom_field_clean(definition, None)  # raises the field's "required" error
    return result


# --- the definitions (the administrators' custom fields screen) ------------------------

# What ``custom_field_update`` changes. The key and the type are fixed once defined:
# every customer's stored value is read through them.
DEFINITION_EDITABLE = ("label", "choices", "required", "searchable", "position")


def _choices(raw: Any) -> Any:
    if isinstance(raw, str):
        raw = raw.splitlines()
    if isinstance(raw, (list, tuple)):
        return [
            c.strip() if isinstance(c, str) else c
            for c in raw
            if not (isinstance(c, str) and not c.strip())
        ]
    return raw  # the model's clean() words what is wrong with it


def _definition_check(definition: CustomFieldDefinition) -> None:
    definition.label = (definition.label or "").strip()
    model_clean(definition)
    clash = CustomFieldDefinition.objects.filter(key__iexact=definition.key)
    if clash.exclude(pk=definition.pk).exists():
        raise ValidationFailed(
            _("A custom field with the key “%(key)s” already exists.") % {"key": definition.key},
            field="key",
        )


@transaction.atomic
def custom_field_create(
    *,
    by: Any,
    key: str,
    label: str,
    type: str = Type.TEXT,
    choices: Any = (),
    required: bool = False,
    searchable: bool = False,
    position: int = 0,
) -> CustomFieldDefinition:
    """A new custom field on every customer (no customer has a value for it yet)."""
    ensure_can(by, "customers.configure_fields")
    definition = CustomFieldDefinition(
        key=(key or "").strip(),
        label=label,
        type=type,
        choices=_choices(choices),
        required=required,
        searchable=searchable,
        position=position,
    )
    _definition_check(definition)
    definition.save()
    audit_record(
        kind="custom_field_created",
        user=by,
        target=definition.key,
        target_id=definition.pk,
        type=definition.type,
        label=definition.label,
    )
    emit(
        "custom_field.created",
        field_id=definition.pk,
        key=definition.key,
        type=definition.type,
        by=getattr(by, "pk", None),
    )
    return definition


@transaction.atomic
def custom_field_update(
    *, by: Any, definition: CustomFieldDefinition, changes: dict[str, Any]
) -> CustomFieldDefinition:
    """Change a field's label, choices, position, or whether it is required or searched.
    A choice that customers hold cannot be taken away (their value would no longer be
    valid): change theirs first."""
    ensure_can(by, "customers.configure_fields")
    fixed = sorted(set(changes) - set(DEFINITION_EDITABLE))
    if fixed:
        raise ValidationFailed(
            _("The key and the type of a custom field cannot change: define a new field."),
            field=fixed[0],
        )
    if "choices" in changes:
        changes = {**changes, "choices": _choices(changes["choices"])}
    before = {name: getattr(definition, name) for name in changes}
    for name, value in changes.items():
        setattr(definition, name, value)
    _definition_check(definition)
    removed = [c for c in before.get("choices") or [] if c not in (definition.choices or [])]
    for choice in removed:
        if Customer.objects.filter(**{f"custom_fields__{definition.key}": choice}).exists():
            raise ValidationFailed(
                _("Customers hold the choice “%(choice)s”: change their value before removing it.")
                % {"choice": choice},
                field="choices",
            )
    definition.save()
    definition.__dict__.pop("_form_field", None)
    diff: dict[str, Any] = {
        k: [v, changes[k]] for k, v in before.items() if v != getattr(definition, k)
    }
    if diff:
        audit_record(
            kind="custom_field_changed",
            user=by,
            target=definition.key,
            target_id=definition.pk,
            **diff,
        )
        emit(
            "custom_field.updated",
            field_id=definition.pk,
            key=definition.key,
            fields=sorted(diff),
            by=getattr(by, "pk", None),
        )
    return definition


def _active_set(*, by: Any, definition: CustomFieldDefinition, active: bool) -> None:
    """Deactivate or reactivate ``definition``; the customers' values are never touched."""
    ensure_can(by, "customers.configure_fields")
    if definition.active == active:
        return
    definition.active = active
    definition.save(update_fields=["active"])
    audit_record(
        kind="custom_field_changed",
        user=by,
        target=definition.key,
        target_id=definition.pk,
        active=[not active, active],
    )
    emit(
        "custom_field.updated",
        field_id=definition.pk,
        key=definition.key,
        fields=["active"],
        by=getattr(by, "pk", None),
    )


@transaction.atomic
def custom_field_deactivate(*, by: Any, definition: CustomFieldDefinition) -> None:
    """Hide a field from the forms, the ficha and the import, and refuse values for it;
    what customers hold stays stored and shows again on reactivation."""
    _active_set(by=by, definition=definition, active=False)


@transaction.atomic
def custom_field_reactivate(*, by: Any, definition: CustomFieldDefinition) -> None:
    _active_set(by=by, definition=definition, active=True)
