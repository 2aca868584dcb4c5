from django import template

from ..forms import InteractionForm

register = template.Library()


@register.simple_tag(takes_context=True)
def interaction_form(context):
    """The form the view left after a failed POST, else a blank one (on the ficha)."""
    return context.get("interaction_form") or InteractionForm()
