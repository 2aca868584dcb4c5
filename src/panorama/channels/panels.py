from django.utils.translation import gettext_lazy as _

from panorama.customers.panels import Panel, register

from .schemas import InteractionOut
from .selectors import timeline


def _timeline(*, customer, user):
    return timeline(customer_id=customer.pk)


register(
    Panel(
        key="timeline",
        title=_("Timeline"),
        selector=_timeline,
        template="channels/_timeline_panel.html",
        order=10,
        schema=InteractionOut,
    )
)
