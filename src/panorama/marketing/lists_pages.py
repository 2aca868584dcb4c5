"""Marketing's own lists on the shared list component (``core/lists/``): segments,
messages (templates) and journeys. Each reads through the same selector as before
(segments scoped by ``segment_scope``; templates and journeys shared by the staff) and
its bulk action goes through marketing's own service, its permission and refusals
included; a refused row is reported with the service's reason and the others go on."""

from typing import Any

from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from panorama.accounts import permissions
from panorama.accounts.models import Team
from panorama.core.lists import BulkAction, Column, Filter, ListDefinition, ListState, Sort
from panorama.core.pagination import Keyset, TimeKeyset

from . import selectors
from .models import Campaign, Segment
from .services.segments import segment_delete

BY_NAME = Keyset("name", "id", types=(str, int))
BY_NAME_DESC = Keyset("-name", "-id", types=(str, int))


def _person(user: Any) -> str:
    return (user.get_full_name() or user.username) if user else "—"


def _day(value: Any) -> str:
    return date_format(localtime(value), "SHORT_DATE_FORMAT") if value else "—"


def _short(text: str, limit: int = 80) -> str:
    text = " ".join((text or "").split())
    if not text:
        return "—"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _confirm_field(label: Any, yes: Any, required: Any):
    """A select the user must set before an action that cannot be undone (deleting):
    without it the action is refused with ``required``, nothing done."""

    def field(user: Any) -> forms.Field:
        return forms.ChoiceField(
            label=label,
            choices=[("", label), ("yes", yes)],
            error_messages={"required": required},
        )

    return field


# --- segments ------------------------------------------------------------------------


def _segment_teams(user: Any) -> list[tuple[str, Any]]:
    """ "The whole staff", then the teams of the segments ``user`` sees (one query)."""
    teams = Team.objects.filter(
        pk__in=selectors.segments_visible_to(user).filter(team__isnull=False).values("team")
    ).order_by("name")
    return [("staff", _("The whole staff")), *((str(t.pk), t.name) for t in teams)]


def _delete_segment(user: Any, segment: Segment, _value: Any) -> None:
    segment_delete(by=user, segment=segment)


class SegmentList(ListDefinition):
    name = "segments"
    label = _("Segments")
    url_name = "marketing:segment_list"
    noun = ngettext_lazy("%(count)s segment", "%(count)s segments", "n")
    search_label = _("Name")
    search_placeholder = _("e.g. without a card")
    empty_title = _("No segments yet")
    empty_text = _(
        "Combine rules on products, contacts, consents and fields, and see the count as you go."
    )
    columns = [
        Column("name", _("Name"), value=lambda s: s.name, link=True, sort="name"),
        Column("description", _("Description"), value=lambda s: _short(s.description)),
        Column(
            "team",
            _("Shown to"),
            value=lambda s: s.team.name if s.team else _("The whole staff"),
        ),
        Column("owner", _("Owner"), value=lambda s: _person(s.owner)),
        Column("priority", _("Priority"), value=lambda s: s.priority, numeric=True, default=False),
        Column("updated", _("Updated"), value=lambda s: _day(s.updated_at), sort="updated"),
    ]
    filters = [
        Filter("owner", _("Owner"), choices=[("me", _("Mine")), ("others", _("Someone else's"))]),
        Filter("team", _("Shown to"), choices=_segment_teams),
        Filter(
            "use",
            _("Use"),
            choices=[
                ("campaign", _("Target of a campaign")),
                ("unused", _("No campaign")),
            ],
        ),
    ]
    sorts = [
        Sort("name", _("Name, A to Z"), BY_NAME),
        Sort("-name", _("Name, Z to A"), BY_NAME_DESC),
        Sort("updated", _("Recently updated"), TimeKeyset("-updated_at", "-id", types=(str, int))),
        Sort(
            "-updated",
            _("Least recently updated"),
            TimeKeyset("updated_at", "id", types=(str, int)),
        ),
    ]
    default_sort = "name"
    # segment_delete: the right to build segments; a segment a campaign targets, an SLA
    # policy names or a loyalty rule uses is refused with why.
    bulk_actions = [
        BulkAction(
            "delete",
            _("Delete"),
            field=_confirm_field(
                _("Confirm…"),
                _("Delete them for good"),
                _("Choose “Delete them for good” to delete the selected segments."),
            ),
            run=_delete_segment,
            permission="marketing.build_segments",
        )
    ]
    row_related = ("owner", "team")

    def filtered(self, user, state: ListState) -> QuerySet:
        qs = selectors.segments_visible_to(user)
        f = state.filters
        if f.get("owner") == "me":
            qs = qs.filter(owner_id=user.pk)
        elif f.get("owner") == "others":
            qs = qs.exclude(owner_id=user.pk)
        team = f.get("team", "")
        if team == "staff":
            qs = qs.filter(team__isnull=True)
        elif team.isdigit():
            qs = qs.filter(team_id=int(team))
        targeted = Exists(Campaign.objects.filter(segment_id=OuterRef("pk")))
        if f.get("use") == "campaign":
            qs = qs.filter(targeted)
        elif f.get("use") == "unused":
            qs = qs.filter(~targeted)
        if state.search:
            qs = qs.filter(name__icontains=state.search)
        return qs

    def row_url(self, row: Segment) -> str:
        return reverse("marketing:segment_edit", args=[row.pk])

    def empty_action(self, user) -> tuple[str, Any] | None:
        if permissions.can(user, "marketing.build_segments"):
            return reverse("marketing:segment_new"), _("New segment")
        return None


SEGMENTS = SegmentList()
