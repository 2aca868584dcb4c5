"""What the customers app gives the Ctrl+K palette (core/palette.py): its actions, and
customers found as in the identify box (an exact identifier first, then names)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from panorama.core import palette
from panorama.core.exceptions import ValidationFailed

from . import selectors

HITS = 6


def customer_hits(user, text: str) -> list[palette.Hit]:
    try:
        exact = selectors.identify(user=user, value=text)
    except ValidationFailed:
        exact = []
    hits = [
        palette.Hit(
            label=m.customer.display_name,
            url=reverse("customers:detail", args=[m.customer.pk]),
            detail=str(_("exact identifier")),
            icon="person-check",
        )
        for m in exact[:HITS]
    ]
    seen = {m.customer.pk for m in exact}
    try:
        by_name = selectors.customer_list(user=user, search=text, limit=HITS).items
    except ValidationFailed:
        by_name = []
    for customer in by_name:
        if customer.pk not in seen and len(hits) < HITS:
            hits.append(
                palette.Hit(
                    label=customer.display_name,
                    url=reverse("customers:detail", args=[customer.pk]),
                    detail=customer.get_status_display(),
                )
            )
    return hits


def register() -> None:
    palette.register_action(
        palette.Action(
            _("New customer"),
            "customers:create",
            icon="person-plus",
            permission="customers.edit",
            keywords=_("create add"),
        )
    )
    palette.register_action(
        palette.Action(
            _("Import customers"),
            "customers:imports",
            icon="box-arrow-in-down",
            permission="customers.import",
            keywords=_("upload file csv excel"),
        )
    )
    palette.register_search(_("Customers"), customer_hits)
