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


def callbacks_proposed(user, owner, day) -> list:
    """The callbacks ``owner`` must make on ``day`` (overdue ones included), for the
    agenda's "proposed work", as ``user`` sees them (one query)."""
    from django.urls import reverse
    from django.utils import timezone
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    from panorama.sales.agenda import ProposedItem

    from .selectors import callbacks_due

    now = timezone.now()
    return [
        ProposedItem(
            label=_("Call back %(who)s")
            % {"who": c.name or (c.customer.display_name if c.customer else c.phone)},
            url=reverse("service:callback_detail", args=[c.pk]),
            detail=_("%(phone)s · from %(start)s")
            % {
                "phone": c.phone,
                "start": date_format(timezone.localtime(c.window_start), "SHORT_DATETIME_FORMAT"),
            },
            icon="telephone-forward",
            late=c.window_end < now,
        )
        for c in callbacks_due(user=user, owner=owner, day=day, limit=20)
    ]
