"""Channels' column on the customer list: the last contact, the date of the customer's
newest interaction on the timeline (customers may not import channels, so it is added
from here, like marketing's bulk actions)."""

from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from panorama.core.lists import Column
from panorama.core.lists.definition import column_add

# A column of the customer's own row (``Customer.last_contact_at``, kept by the
# triggers of ``last_contact.py``): no query per row, none more per page, no subquery.
LAST_CONTACT = F("last_contact_at")


def _last_contact(customer: Any) -> Any:
    """The day, in the user's time zone: a date, drawn in the user's language (and a
    date cell in an export)."""
    value = getattr(customer, "last_contact", None)
    return timezone.localtime(value).date() if value else "—"


# Not sortable: a keyset over it would need an index on the column, one more index
# write for every contact recorded.
LAST_CONTACT_COLUMN = Column(
    "last_contact",
    _("Last contact"),
    value=_last_contact,
    default=False,
    annotate=(("last_contact", LAST_CONTACT),),
)


def register() -> None:
    column_add("customers", LAST_CONTACT_COLUMN)
