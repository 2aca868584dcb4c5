from django.utils.translation import gettext_lazy as _

from panorama.customers.panels import Panel, register

from .schemas import ScorePanelOut
from .selectors import score_for_panel

# The models' scores on the ficha: RFM segment, probability alive, expected purchases,
# lifetime value, and the imported purchase history they come from.
register(
    Panel(
        key="scores",
        title=_("Scores"),
        selector=score_for_panel,
        template="analytics/_scores_panel.html",
        order=50,
        tab="details",
        schema=ScorePanelOut,
    )
)
