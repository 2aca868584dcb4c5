from django import template
from django.utils.translation import get_language_info

register = template.Library()


@register.filter
def language_name(code: str) -> str:
    """ "es" → "Spanish" (in the reader's language); an unknown code stays as it is."""
    try:
        return get_language_info(code)["name_translated"]
    except KeyError:
        return code


@register.filter
def condition_items(conditions: dict | None) -> list[tuple[str, object]]:
    """A holding's conditions as (label, value) pairs for people: labels translated,
    booleans as Yes/No."""
    from ..conditions import condition_label, condition_value

    return [(condition_label(k), condition_value(v)) for k, v in (conditions or {}).items()]


@register.filter
def identity_kind(kind: str) -> str:
    """ "phone" → "Phone" (translated); an unknown kind stays as it is."""
    from ..models import Identity

    try:
        return str(Identity.Kind(kind).label)
    except ValueError:
        return kind


@register.filter
def history_label(key: str) -> str:
    """A field-history key ("notes", "identity:phone", "custom_fields.zona") as a label."""
    from ..history import history_label as label

    return label(key)
