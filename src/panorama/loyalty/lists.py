"""The members list (core/lists): scoped like the customers, filtered by programme and
tier, searched by card number or name."""

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from panorama.core.lists import Column, Filter, ListDefinition, ListState, Sort
from panorama.core.pagination import Keyset
from panorama.core.templatetags.formatting import number

from . import selectors
from .models import Membership, Programme, Tier


def _programmes(user: Any) -> list[tuple[str, Any]]:
    return [(str(p.pk), p.name) for p in Programme.objects.order_by("name")]


def _tiers(user: Any) -> list[tuple[str, Any]]:
    return [
        (str(t.pk), f"{t.programme.name} · {t.name}")
        for t in Tier.objects.select_related("programme").order_by("programme__name", "threshold")
    ]


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 12 else None


class MemberList(ListDefinition):
    name = "loyalty_members"
    label = _("Loyalty members")
    url_name = "loyalty:member_list"
    noun = ngettext_lazy("%(count)s member", "%(count)s members", "n")
    search_label = _("Card number or name")
    search_placeholder = _("e.g. 7012")
    empty_title = _("No members")
    empty_text = _("Customers join a programme from their ficha's loyalty panel.")
    columns = [
        Column("card_number", _("Card"), link=True),
        Column("customer", _("Customer"), value=lambda m: m.customer.display_name),
        Column("programme", _("Programme"), value=lambda m: m.programme.name),
        Column("tier", _("Tier"), value=lambda m: m.tier.name if m.tier_id else "—"),
        Column("balance", _("Balance"), value=lambda m: number(m.balance), numeric=True),
        Column(
            "enrolled_at",
            _("Enrolled"),
            value=lambda m: date_format(m.enrolled_at, "SHORT_DATE_FORMAT"),
        ),
    ]
    filters = [
        Filter("programme", _("Programme"), choices=_programmes),
        Filter("tier", _("Tier"), choices=_tiers),
    ]
    sorts = [
        Sort("newest", _("Newest first"), Keyset("-id", types=(int,))),
        Sort("balance", _("Highest balance"), Keyset("-balance", "-id", types=(int, int))),
    ]
    default_sort = "newest"

    def filtered(self, user, state: ListState) -> QuerySet:
        return selectors.members(
            user=user,
            programme_id=_int(state.filters.get("programme", "")),
            tier_id=_int(state.filters.get("tier", "")),
            search=state.search,
        )

    def row_url(self, row: Membership) -> str:
        return reverse("loyalty:member_detail", args=[row.pk])


MEMBERS = MemberList()
