from django.utils.translation import gettext_lazy as _

from panorama.customers.panels import Panel, register

from .schemas import SegmentsPanelOut
from .selectors import customer_segments

# Fills the ficha's expected "segments" section (customers.panels.EXPECTED).
register(
    Panel(
        key="segments",
        title=_("Segments"),
        selector=customer_segments,
        template="marketing/_segments_panel.html",
        order=40,
        schema=SegmentsPanelOut,
        tab="details",
    )
)
