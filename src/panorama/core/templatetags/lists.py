"""Template tags of the shared list (core/lists/)."""

from django import template

from panorama.core.lists import Column, RenderedList
from panorama.core.lists import header_sort as _header_sort

register = template.Library()


@register.simple_tag
def header_sort(rendered: RenderedList, column: Column) -> dict | None:
    """``{% header_sort list column as sort %}``: the header's sort link and aria-sort."""
    return _header_sort(rendered, column)
