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
