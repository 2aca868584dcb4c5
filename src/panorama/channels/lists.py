"""Channels' column on the customer list: the last contact, the date of the customer's
newest interaction on the timeline (customers may not import channels, so it is added
from here, like marketing's bulk actions)."""

from typing import Any

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from panorama.core.lists import Column
from panorama.core.lists.definition import column_add

from .models import Interaction

# One correlated subquery in the page's own query (no query per row, none more per
# page): each row is one step down the index interaction_timeline
# (customer, -occurred_at, -id).
LAST_CONTACT = Subquery(
    Interaction.objects.filter(customer=OuterRef("pk"))
    .order_by("-occurred_at", "-id")
    .values("occurred_at")[:1]
)


def _last_contact(customer: Any) -> Any:
    """The day, in the user's time zone: a date, drawn in the user's language (and a
    date cell in an export)."""
    value = getattr(customer, "last_contact", None)
    return timezone.localtime(value).date() if value else "—"


# Not sortable: ordering every customer by a subquery cannot walk an index (a keyset
# would need the date kept on the customer's row).
LAST_CONTACT_COLUMN = Column(
    "last_contact",
    _("Last contact"),
    value=_last_contact,
    default=False,
    annotate=(("last_contact", LAST_CONTACT),),
)


def register() -> None:
    column_add("customers", LAST_CONTACT_COLUMN)
