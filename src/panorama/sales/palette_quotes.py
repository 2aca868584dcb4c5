"""The palette finds a quote or an order by its reference (``Q-000123``, ``O-000123``),
in the user's scope; the unique index on ``reference`` answers it."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from panorama.core import palette

from .selectors_quotes import orders_visible_to, quotes_visible_to

HITS = 5


def quote_and_order_hits(user, text: str) -> list[palette.Hit]:
    code = text.strip().upper()
    if code.startswith("Q-"):
        quotes = quotes_visible_to(user).filter(reference__startswith=code).order_by("reference")
        return [
            palette.Hit(
                label=q.reference or "",
                url=reverse("sales:quote_detail", args=[q.pk]),
                detail=str(q.get_status_display()),
                icon="file-earmark-text",
            )
            for q in quotes[:HITS]
        ]
    if code.startswith("O-"):
        orders = orders_visible_to(user).filter(reference__startswith=code).order_by("reference")
        return [
            palette.Hit(
                label=o.reference or "",
                url=reverse("sales:order_detail", args=[o.pk]),
                detail=str(o.get_status_display()),
                icon="bag-check",
            )
            for o in orders[:HITS]
        ]
    return []


def register() -> None:
    palette.register_search(_("Quotes and orders"), quote_and_order_hits)
