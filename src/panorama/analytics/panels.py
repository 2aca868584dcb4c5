from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from panorama.customers.panels import Panel, present, register, register_presence

from .models import CustomerScore, Purchase
from .schemas import ScorePanelOut
from .selectors import score_for_panel


def _scores(*, customer, user):
    if not present(customer, "scores"):
        return []
    return score_for_panel(customer=customer, user=user)


# The models' scores on the ficha: RFM segment, probability alive, expected purchases,
# lifetime value, and the imported purchase history they come from.
register(
    Panel(
        key="scores",
        title=_("Scores"),
        selector=_scores,
        template="analytics/_scores_panel.html",
        order=50,
        tab="details",
        schema=ScorePanelOut,
    )
)
# Scored by a model, or with an imported order.
register_presence(
    "scores",
    lambda: (
        Exists(CustomerScore.objects.filter(customer=OuterRef("pk")))
        | Exists(Purchase.objects.filter(customer=OuterRef("pk")))
    ),
)
