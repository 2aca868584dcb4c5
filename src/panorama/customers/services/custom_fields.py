"""Custom field values: coerced and validated by the Django form field each definition
describes, so every type gets Django's own rules and messages, in the user's language."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from panorama.core.exceptions import ValidationFailed

from ..models import CustomFieldDefinition

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
    result = dict(existing or {})
    for key, definition in definitions.items():
        if key in values:
            cleaned = custom_field_clean(definition, values[key])
            if cleaned is None:
                result.pop(key, None)
            else:
                result[key] = cleaned
        elif not partial and definition.required and key not in result:
            custom_field_clean(definition, None)  # raises the field's "required" error
    return result
