from django.utils.translation import gettext_lazy as _

from panorama.customers.panels import Panel, register

from .schemas import CaseOut
from .schemas.field import AssetOut
from .selectors import open_cases_for_panel
from .selectors.field import assets_for_panel

register(
    Panel(
        key="cases",
        title=_("Open cases"),
        selector=open_cases_for_panel,
        template="service/_cases_panel.html",
        order=30,
        tab="service",
        schema=CaseOut,
    )
)

# Field service: the customer's installed base (assets and their components).
register(
    Panel(
        key="assets",
        title=_("Installed base"),
        selector=assets_for_panel,
        template="service/field/_assets_panel.html",
        order=35,
        tab="service",
        schema=AssetOut,
    )
)
