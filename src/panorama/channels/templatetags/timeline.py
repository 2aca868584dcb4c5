from django import template

from ..forms import InteractionForm

register = template.Library()


@register.simple_tag(takes_context=True)
def interaction_form(context):
    """The form the view left after a failed POST, else a blank one (on the ficha)."""
    return context.get("interaction_form") or InteractionForm()


@register.filter
def sent_by(interaction):
    """Who or what sent a failed message: the person, the rule or campaign, the system."""
    from ..failures import sender_label

    return sender_label(interaction)


@register.filter
def retryable(interaction) -> bool:
    """A failed message its channel can send again, not sent again yet."""
    from ..failures import retryable as may_retry

    return bool(interaction.failed) and may_retry(interaction)
