from django.utils.translation import gettext_lazy as _

from panorama.customers.panels import Panel, register

from .schemas import LoyaltyPanelOut
from .selectors import customer_loyalty

register(
    Panel(
        key="loyalty",
        title=_("Loyalty"),
        selector=customer_loyalty,
        template="loyalty/_panel.html",
        order=45,
        schema=LoyaltyPanelOut,
        tab="overview",
    )
)
