"""What service gives the Ctrl+K palette (core/palette.py): cases by their reference."""

import re

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from panorama.core import palette

HITS = 5
_CASE_REFERENCE = re.compile(r"^(?:c-?)?0*(\d{1,9})$", re.IGNORECASE)


def case_hits(user, text: str) -> list[palette.Hit]:
    """A case by its reference: "C-000123", "c123" or "123". One query on the
    reference's unique index, in the user's scope (a case is seen with its customer)."""
    from .selectors import cases_visible_to

    matched = _CASE_REFERENCE.match(text.replace("\x00", "").strip()[:100])
    if matched is None:
        return []
    reference = f"C-{int(matched.group(1)):06d}"
    cases = cases_visible_to(user).filter(reference=reference).select_related("customer")[:HITS]
    return [
        palette.Hit(
            label=f"{case.reference} · {case.subject}",
            url=reverse("service:case_detail", args=[case.pk]),
            detail=f"{case.customer.display_name} · {case.get_status_display()}",
            icon="life-preserver",
        )
        for case in cases
    ]


def register() -> None:
    palette.register_search(_("Cases"), case_hits)
