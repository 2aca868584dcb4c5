"""The loyalty lists (core/lists): the members, scoped like the customers, filtered by
programme and tier, searched by card number or name; the programmes (company-wide, as
before), activated or deactivated in bulk through ``programme_save`` by who may manage
loyalty."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

from panorama.accounts.permissions import can
from panorama.core.lists import (
    ACTIVE_CHOICES,
    BY_NAME,
    BY_NAME_DESC,
    NEWEST,
    Column,
    Edit,
    Filter,
    ListDefinition,
    ListState,
    Sort,
    active_chip,
    active_edit,
    active_toggle,
    active_value,
    id_value,
    named_choices,
)
from panorama.core.pagination import Keyset
from panorama.core.templatetags.formatting import number

from . import selectors
from .models import Membership, Programme, Tier
from .services.programmes import programme_save


def _programmes(user: Any) -> list[tuple[str, Any]]:
    return named_choices(Programme.objects.all())


def _tiers(user: Any) -> list[tuple[str, Any]]:
    return [
        (str(t.pk), f"{t.programme.name} · {t.name}")
        for t in Tier.objects.select_related("programme").order_by("programme__name", "threshold")
    ]


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
        NEWEST,
        Sort("balance", _("Highest balance"), Keyset("-balance", "-id", types=(int, int))),
    ]
    default_sort = "newest"

    def filtered(self, user, state: ListState) -> QuerySet:
        return selectors.members(
            user=user,
            programme_id=id_value(state, "programme"),
            tier_id=id_value(state, "tier"),
            search=state.search,
        )

    def row_url(self, row: Membership) -> str:
        return reverse("loyalty:member_detail", args=[row.pk])


MEMBERS = MemberList()


# --- programmes ---------------------------------------------------------------------


def _expiry(row: Programme) -> Any:
    if not row.expiry_months:
        return _("Never")
    return ngettext("%(n)s month", "%(n)s months", row.expiry_months) % {"n": row.expiry_months}


def _programme_change(user: Any, row: Programme, **changes: Any) -> Programme:
    """The programme saved again as it is, but for ``changes`` (the edit form's path:
    ``programme_save``, its permission and its checks)."""
    values: dict[str, Any] = {
        "name": row.name,
        "points_name": row.points_name,
        "currency": row.currency,
        "points_per_unit": row.points_per_unit,
        "expiry_months": row.expiry_months,
        "qualification_months": row.qualification_months,
        "active": row.active,
    }
    return programme_save(by=user, programme=row, **(values | changes))


def _programme_active(user: Any, row: Programme, active: bool) -> Programme:
    return _programme_change(user, row, active=active)


# The name in place: programme_save refuses an empty one or another programme's.
NAME_EDIT = Edit(
    field=lambda user: forms.CharField(label=_("Name"), required=False),
    initial=lambda row: row.name,
    save=lambda user, row, name: _programme_change(user, row, name=name),
    permission="loyalty.manage",
)


class ProgrammeList(ListDefinition):
    name = "loyalty_programmes"
    label = _("Loyalty programmes")
    url_name = "loyalty:programme_list"
    noun = ngettext_lazy("%(count)s programme", "%(count)s programmes", "n")
    search_label = _("Name")
    search_placeholder = _("e.g. Club")
    empty_title = _("No loyalty programmes yet")
    empty_text = _("A programme gives cards, points earned by rules, tiers and rewards.")
    columns = [
        Column("name", _("Name"), link=True, sort="name", edit=NAME_EDIT),
        Column(
            "points_per_unit",
            _("Points per currency unit"),
            value=lambda p: f"{number(p.points_per_unit)} / {p.currency}",
            numeric=True,
        ),
        Column("expiry", _("Expiry"), value=_expiry, numeric=True),
        Column(
            "qualification",
            _("Tier qualification period"),
            value=lambda p: (
                ngettext("%(n)s month", "%(n)s months", p.qualification_months)
                % {"n": p.qualification_months}
            ),
            numeric=True,
            default=False,
        ),
        Column("points_name", _("Points name"), default=False),
        Column(
            "active",
            _("Status"),
            value=active_chip(),
            edit=active_edit(_programme_active, permission="loyalty.manage"),
        ),
    ]
    filters = [
        Filter("active", _("Status"), choices=ACTIVE_CHOICES),
        Filter(
            "expiry",
            _("Expiry"),
            choices=[("never", _("Points never expire")), ("expire", _("Points expire"))],
        ),
    ]
    sorts = [
        BY_NAME,
        BY_NAME_DESC,
        NEWEST,
    ]
    default_sort = "name"
    bulk_actions = [active_toggle(_programme_active, permission="loyalty.manage")]
    bulk_export = "core.export"

    def filtered(self, user, state: ListState) -> QuerySet:
        qs = selectors.programmes(active=active_value(state)).order_by()
        if state.filters.get("expiry") == "never":
            qs = qs.filter(expiry_months=0)
        elif state.filters.get("expiry") == "expire":
            qs = qs.filter(expiry_months__gt=0)
        if state.search:
            qs = qs.filter(name__icontains=state.search)
        return qs

    def row_url(self, row: Programme) -> str:
        return reverse("loyalty:programme_detail", args=[row.pk])

    def empty_action(self, user) -> tuple[str, Any] | None:
        if can(user, "loyalty.manage"):
            return reverse("loyalty:programme_create"), _("New programme")
        return None


PROGRAMMES = ProgrammeList()
