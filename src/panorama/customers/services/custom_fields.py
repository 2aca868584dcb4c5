import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from panorama.core.exceptions import ValidationFailed

from ..models import CustomFieldDefinition

Type = CustomFieldDefinition.Type
_TRUE = {"1", "true", "yes", "y", "si", "sí", "x"}
_FALSE = {"0", "false", "no", "n", ""}


def custom_field_clean(definition: CustomFieldDefinition, raw: Any) -> Any:
    """The JSON value stored for ``raw`` in ``definition``; raises ValidationFailed."""
    key = definition.key
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if definition.required:
            raise ValidationFailed(
                _("%(label)s is required.") % {"label": definition.label}, field=key
            )
        return None
    text = raw.strip() if isinstance(raw, str) else raw
    try:
        if definition.type == Type.TEXT:
            return str(text)[:1000]
        if definition.type == Type.INTEGER:
            if isinstance(text, bool):
                raise ValueError
            return int(text)
        if definition.type == Type.DECIMAL:
            number = Decimal(str(text))
            if not number.is_finite():
                raise ValueError
            return str(number)
        if definition.type == Type.DATE:
            return datetime.date.fromisoformat(str(text)).isoformat()
        if definition.type == Type.BOOLEAN:
            if isinstance(text, bool):
                return text
            lowered = str(text).lower()
            if lowered in _TRUE:
                return True
            if lowered in _FALSE:
                return False
            raise ValueError
        if definition.type == Type.CHOICE:
            if str(text) not in definition.choices:
                raise ValidationFailed(
                    _("%(value)s is not one of the choices of %(label)s: %(choices)s.")
                    % {
                        "value": text,
                        "label": definition.label,
                        "choices": ", ".join(definition.choices),
                    },
                    field=key,
                )
            return str(text)
    except (ValueError, TypeError, InvalidOperation):
        pass
    raise ValidationFailed(
        _("%(value)s is not a valid %(type)s for %(label)s.")
        % {"value": raw, "type": definition.get_type_display().lower(), "label": definition.label},
        field=key,
    )


def custom_fields_clean(
    values: dict[str, Any],
    *,
    existing: dict[str, Any] | None = None,
    partial: bool = False,
    definitions: dict[str, CustomFieldDefinition] | None = None,
) -> dict[str, Any]:
    """Validate a whole set of custom values against the administrators' definitions.

    ``definitions`` (key → definition) spares the query when a caller validates many
    records in a row, as the import does.
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
            raise ValidationFailed(
                _("%(label)s is required.") % {"label": definition.label}, field=key
            )
    return result
