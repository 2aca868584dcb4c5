"""The kanban component's one template helper: a card's value for its column's sum."""

from typing import Any

from django import template

register = template.Library()


@register.filter
def card_value(card: Any, attribute: str) -> str:
    """``card.<attribute>`` as plain text for ``data-value`` (what the column sums)."""
    value = getattr(card, attribute, None) if attribute else None
    return "0" if value is None else str(value)
