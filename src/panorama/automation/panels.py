"""The ficha's "alerts" panel and the alerts proposed in the agenda."""

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from panorama.customers.panels import Panel, present, register, register_presence

from .models import Alert
from .schemas import AlertOut
from .selectors import alerts_visible_to, customer_alerts


def _alerts(*, customer, user):
    if not present(customer, "alerts"):
        return []
    return customer_alerts(customer=customer, user=user)


register(
    Panel(
        key="alerts",
        title=_("Alerts"),
        selector=_alerts,
        template="automation/_alerts_panel.html",
        order=5,
        schema=AlertOut,
    )
)
register_presence("alerts", lambda: Exists(Alert.objects.filter(customer=OuterRef("pk"))))


def alerts_proposed(user, owner, day) -> list:
    """``owner``'s alerts he has not seen yet, as ``user`` sees them (one query), for the
    agenda's "proposed work"."""
    from django.db.models import Q
    from django.urls import reverse
    from django.utils import timezone

    from panorama.sales.agenda import ProposedItem

    from .models import Alert

    now = timezone.now()
    rows = (
        alerts_visible_to(user)
        .filter(user=owner)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .exclude(seen__user=owner)
        .select_related("customer")
        .order_by("-priority", "-created_at")[:10]
    )
    return [
        ProposedItem(
            label=f"{a.customer.display_name}: {a.title}",
            url=reverse("customers:detail", args=[a.customer_id]),
            detail=str(_("Alert")),
            icon="bell",
            late=a.priority == Alert.Priority.HIGH,
        )
        for a in rows
    ]
