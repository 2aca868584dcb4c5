"""What sales shows on the ficha. Each sub-domain registers its panel here (imported by
``SalesConfig.ready``; ``customers`` never imports sales)."""

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from panorama.customers.panels import Panel, present, register, register_presence

from .api.scripts import ScriptOut
from .models import Opportunity, Quote
from .schemas import OpportunityPanelOut
from .schemas.quotes import QuotePanelOut
from .selectors import open_opportunities_of
from .selectors.quotes import quotes_of


def _open_opportunities(*, customer, user):
    if not present(customer, "open_opportunities"):
        return []
    return open_opportunities_of(user=user, customer_id=customer.pk)


register(
    Panel(
        key="opportunities",
        title=_("Open opportunities"),
        selector=_open_opportunities,
        template="sales/_opportunities_panel.html",
        order=20,
        tab="sales",
        schema=OpportunityPanelOut,
        options={"empty": _("No open opportunities")},
    )
)
register_presence(
    "open_opportunities",
    lambda: Exists(
        Opportunity.objects.filter(customer=OuterRef("pk"), status=Opportunity.Status.OPEN)
    ),
)


def _quotes(*, customer, user):
    if not present(customer, "quotes"):
        return []
    return quotes_of(user=user, customer_id=customer.pk)


register(
    Panel(
        key="quotes",
        title=_("Quotes"),
        selector=_quotes,
        template="sales/quotes/_panel.html",
        order=25,
        tab="sales",
        schema=QuotePanelOut,
        options={"empty": _("No quotes yet")},
    )
)
register_presence("quotes", lambda: Exists(Quote.objects.filter(customer=OuterRef("pk"))))


# --- sales scripts (agenda helper) --------------------------------------------------------


def _fitting_scripts(*, customer, user):
    from .scripts import scripts_for

    return scripts_for(customer=customer)


def _sells(user) -> bool:
    from panorama.accounts.models import Role

    return user.role in (Role.SALES_REP, Role.SALES_MANAGER)


register(
    Panel(
        key="scripts",
        title=_("Sales scripts"),
        selector=_fitting_scripts,
        template="sales/_scripts_panel.html",
        order=22,
        tab="sales",
        # A seller's tool: reps and managers (administrators edit them in the settings).
        visible_to=_sells,
        schema=ScriptOut,
        options={"empty": _("No script fits this customer.")},
    )
)
