"""What sales gives the Ctrl+K palette (core/palette.py): the agenda's actions, and
leads, opportunities and quotes found by name or reference."""

import re

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from panorama.core import palette


def register() -> None:
    palette.register_action(
        palette.Action(
            _("Plan a call"),
            "sales:activity_new",
            icon="telephone-plus",
            permission="sales.plan",
            keywords=_("agenda visit meeting task schedule"),
        )
    )
    palette.register_action(
        palette.Action(
            _("My agenda"),
            "sales:agenda",
            icon="calendar-week",
            keywords=_("today calendar calls visits"),
        )
    )
    palette.register_action(
        palette.Action(
            _("Forecast"), "sales:forecast", icon="graph-up-arrow", keywords=_("quota pipeline")
        )
    )
    palette.register_search(_("Leads"), lead_hits)
    palette.register_search(_("Opportunities"), opportunity_hits)
    palette.register_search(_("Quotes"), quote_hits)


# --- records: leads, opportunities, quotes -----------------------------------------------
# Each is one query on an index (the name prefixes: migration 0011's upper(...) pattern
# indexes; a quote's reference: its unique index), limited, in the user's scope (the
# same selectors as the lists and the pages: a rep finds his own and his team's).

HITS = 5
_QUOTE_REFERENCE = re.compile(r"^(?:q-?)?0*(\d{1,9})(-v\d+)?$", re.IGNORECASE)


def _text(text: str) -> str:
    return text.replace("\x00", "").strip()[:100]


def lead_hits(user, text: str) -> list[palette.Hit]:
    from .selectors import leads_visible_to

    text = _text(text)
    if not text:
        return []
    if "@" in text:
        found = Q(email=text.lower())
    else:
        found = (
            Q(last_name__istartswith=text)
            | Q(first_name__istartswith=text)
            | Q(company__istartswith=text)
        )
    # Ordered by name: no other index serves that order, so the prefix indexes answer
    # (ordered by id, PostgreSQL may walk the primary key backwards through every row).
    leads = leads_visible_to(user).filter(found).order_by("last_name", "first_name", "id")
    leads = leads[:HITS]
    return [
        palette.Hit(
            label=lead.name,
            url=reverse("sales:lead_detail", args=[lead.pk]),
            detail=" · ".join(p for p in (lead.company, lead.get_status_display()) if p),
            icon="person-lines-fill",
        )
        for lead in leads
    ]


def opportunity_hits(user, text: str) -> list[palette.Hit]:
    from .selectors import opportunities_visible_to

    text = _text(text)
    if not text:
        return []
    opportunities = (
        opportunities_visible_to(user)
        .filter(name__istartswith=text)
        .select_related("customer", "stage")
        .order_by("name", "id")[:HITS]  # as for leads: the prefix index answers
    )
    return [
        palette.Hit(
            label=opportunity.name,
            url=reverse("sales:opportunity_detail", args=[opportunity.pk]),
            detail=f"{opportunity.customer.display_name} · {opportunity.stage.name}",
            icon="briefcase",
        )
        for opportunity in opportunities
    ]


def quote_hits(user, text: str) -> list[palette.Hit]:
    """A quote by its reference: "Q-000123", "q123" or "123" (and "-v2" for a version)."""
    from .selectors.quotes import quotes_visible_to

    matched = _QUOTE_REFERENCE.match(_text(text))
    if matched is None:
        return []
    reference = f"Q-{int(matched.group(1)):06d}{(matched.group(2) or '').lower()}"
    quotes = (
        quotes_visible_to(user)
        .filter(reference__startswith=reference)
        .select_related("customer")
        .order_by("reference")[:HITS]
    )
    return [
        palette.Hit(
            label=str(quote),
            url=reverse("sales:quote_detail", args=[quote.pk]),
            detail=f"{quote.customer.display_name} · {quote.get_status_display()}",
            icon="file-earmark-text",
        )
        for quote in quotes
    ]
