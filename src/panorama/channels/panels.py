from django.utils.translation import gettext_lazy as _

from panorama.customers.panels import Panel, register

from .schemas import InteractionOut
from .selectors import timeline_page


def _timeline(*, customer, user, params):
    # The ficha's ?channel= filters it (the chips); the 360 API gives no params.
    return timeline_page(customer_id=customer.pk, channel=params.get("channel", ""))


register(
    Panel(
        key="timeline",
        title=_("Timeline"),
        selector=_timeline,
        template="channels/_timeline_panel.html",
        order=10,
        schema=InteractionOut,
        params=("channel",),
    )
)
