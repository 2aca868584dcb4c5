from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from panorama.customers.panels import Panel, register, register_presence

from .models import Membership
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
register_presence(
    "loyalty_cards", lambda: Exists(Membership.objects.filter(customer=OuterRef("pk")))
)
