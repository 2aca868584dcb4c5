from django import template
from django.utils.formats import number_format

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


@register.inclusion_tag("channels/_failure_reason.html")
def failure_reason(interaction):
    """Why it was not sent: the start of the server's answer, the whole a click away."""
    from ..failures import reason_shown

    reason = str((interaction.metadata or {}).get("error", ""))
    short, cut = reason_shown(reason)
    size = number_format(len(reason), force_grouping=True)
    return {"reason": reason, "short": short, "cut": cut, "length": len(reason), "size": size}


@register.filter
def retryable(interaction) -> bool:
    """A failed message its channel can send again, not sent again yet."""
    from ..failures import retryable as may_retry

    return bool(interaction.failed) and may_retry(interaction)
