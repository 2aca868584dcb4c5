from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from panorama.customers.panels import Panel, present, register, register_presence

from .models import Asset, Case
from .schemas import CaseOut
from .schemas.field import AssetOut
from .selectors import open_cases_for_panel
from .selectors.field import assets_for_panel


def _open_cases(*, customer, user):
    if not present(customer, "open_cases"):
        return []
    return open_cases_for_panel(customer=customer, user=user)


def _assets(*, customer, user):
    if not present(customer, "assets"):
        return []
    return assets_for_panel(customer=customer, user=user)


register(
    Panel(
        key="cases",
        title=_("Open cases"),
        selector=_open_cases,
        template="service/_cases_panel.html",
        order=30,
        tab="service",
        schema=CaseOut,
    )
)
register_presence(
    "open_cases",
    lambda: Exists(Case.objects.filter(customer=OuterRef("pk"), status__in=Case.OPEN_STATUSES)),
)
register_presence("assets", lambda: Exists(Asset.objects.filter(customer=OuterRef("pk"))))

# Field service: the customer's installed base (assets and their components).
register(
    Panel(
        key="assets",
        title=_("Installed base"),
        selector=_assets,
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
