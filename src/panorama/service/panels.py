from django.utils.translation import gettext_lazy as _

from panorama.customers.panels import Panel, register

from .schemas import CaseOut
from .selectors import open_cases_for_panel

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
