from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from panorama.customers.panels import Panel, present, register, register_presence

from .models import ListMembership
from .schemas import SegmentAlertPanelOut, SegmentsPanelOut
from .selectors import customer_segments


def _segments(*, customer, user):
    """The segments panel's data, read once per ficha: the overview's segment alerts use
    the same (kept on the customer instance of this request, for this user)."""
    kept = getattr(customer, "_segments_panel", None)
    if kept is None or kept[0] != user.pk:
        lists = present(customer, "marketing_lists")
        kept = (user.pk, customer_segments(customer=customer, user=user, lists=lists))
        customer._segments_panel = kept
    return kept[1]


def _segment_alerts(*, customer, user):
    return _segments(customer=customer, user=user)["alerts"]


# Fills the ficha's expected "segments" section (customers.panels.EXPECTED).
register(
    Panel(
        key="segments",
        title=_("Segments"),
        selector=_segments,
        template="marketing/_segments_panel.html",
        order=40,
        schema=SegmentsPanelOut,
        tab="details",
    )
)
# The live alerts of the segments he is in, where the ficha opens (no query more).
register(
    Panel(
        key="segment_alerts",
        title=_("Segment alerts"),
        selector=_segment_alerts,
        template="marketing/_segment_alerts_panel.html",
        order=6,
        schema=SegmentAlertPanelOut,
    )
)
register_presence(
    "marketing_lists", lambda: Exists(ListMembership.objects.filter(customer=OuterRef("pk")))
)
