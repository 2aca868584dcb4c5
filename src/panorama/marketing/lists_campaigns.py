"""Marketing's campaigns, call lists and static lists on the shared list (core/lists/):
filters as chips, sorts, saved views, the campaign's own services behind the bulk bar.
Each list reads through the selector its page read before (the same scope) and each
bulk action calls the service its page or API calls (the same permission checks)."""

from datetime import timedelta
from typing import Any

from django import forms
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from panorama.accounts.models import User
from panorama.accounts.permissions import can
from panorama.core.lists import (
    BulkAction,
    Column,
    Edit,
    Filter,
    ListDefinition,
    ListState,
    Sort,
    chip,
)
from panorama.core.lists.actions import delete_action
from panorama.core.pagination import Keyset

from . import selectors
from .models import Campaign, Recipient, StaticList
from .services.campaigns import campaign_cancel, campaign_save
from .services.segments import list_delete, list_refresh, list_rename

PERIODS = {"7d": 7, "30d": 30, "90d": 90, "365d": 365}
PERIOD_CHOICES = [
    ("7d", _("Last 7 days")),
    ("30d", _("Last 30 days")),
    ("90d", _("Last 90 days")),
    ("365d", _("Last 12 months")),
]
STATUS_TONES = {"sent": "success", "sending": "info", "scheduled": "info", "cancelled": "danger"}
NEWEST = Keyset("-id", types=(int,))
OLDEST = Keyset("id", types=(int,))
BY_NAME = Keyset("name", "id", types=(str, int))
BY_NAME_DESC = Keyset("-name", "-id", types=(str, int))


def _day(value: Any) -> str:
    return date_format(localtime(value), "SHORT_DATE_FORMAT") if value else "—"


def _person(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user else "—"


def _owners(user) -> list[tuple[str, Any]]:
    """*Mine*, then whoever owns a campaign (one query)."""
    owners = (
        User.objects.filter(pk__in=Campaign.objects.values("owner_id"))
        .exclude(pk=user.pk)
        .order_by("first_name", "last_name", "username")
    )
    return [("me", _("Mine")), *((str(u.pk), _person(u)) for u in owners)]


def _owned(qs: QuerySet, user, value: str, field: str = "owner_id") -> QuerySet:
    if value == "me":
        return qs.filter(**{field: user.pk})
    if value.isdigit():
        return qs.filter(**{field: int(value)})
    return qs


def _since(qs: QuerySet, value: str, field: str) -> QuerySet:
    days = PERIODS.get(value)
    if days is None:
        return qs
    return qs.filter(**{f"{field}__gte": timezone.now() - timedelta(days=days)})


def _choose(qs: QuerySet, field: str, value: str, choices) -> QuerySet:
    """``field`` = ``value`` when it is one of ``choices``; else no filter (a stale link)."""
    return qs.filter(**{field: value}) if value in dict(choices) else qs


# --- campaigns ---------------------------------------------------------------------


def _target(campaign: Campaign) -> str:
    target = campaign.segment or campaign.static_list
    return target.name if target else "—"


# The name in place, through campaign_save (the campaign form's): only a draft changes,
# an empty name is refused, each with the service's message in the cell.
CAMPAIGN_NAME_EDIT = Edit(
    field=lambda user: forms.CharField(label=_("Name"), required=False),
    initial=lambda campaign: campaign.name,
    save=lambda user, campaign, name: campaign_save(
        by=user, campaign=campaign, changes={"name": name}
    ),
    permission="marketing.send_campaigns",
)


class CampaignList(ListDefinition):
    name = "campaigns"
    label = _("Campaigns")
    url_name = "marketing:campaign_list"
    noun = ngettext_lazy("%(count)s campaign", "%(count)s campaigns", "n")
    search_label = _("Name")
    search_placeholder = _("e.g. Spring offer")
    empty_title = _("No campaigns yet")
    empty_text = _("Pick a segment and a message, hold back a control group, and send.")
    columns = [
        Column("name", _("Name"), link=True, sort="name", edit=CAMPAIGN_NAME_EDIT),
        Column("status", _("Status"), value=chip("status", STATUS_TONES)),
        Column("channel", _("Channel"), value=lambda c: c.get_channel_display()),
        Column("programme", _("Programme"), value=lambda c: c.get_programme_display()),
        Column("target", _("Target"), value=_target),
        Column("launched", _("Launched"), value=lambda c: _day(c.launched_at)),
        Column("owner", _("Owner"), value=lambda c: _person(c.owner), default=False),
        Column("created", _("Created on"), value=lambda c: _day(c.created_at), default=False),
    ]
    filters = [
        Filter("status", _("Status"), choices=Campaign.Status.choices),
        Filter("channel", _("Channel"), choices=Campaign.Channel.choices),
        Filter("programme", _("Programme"), choices=Campaign.Programme.choices),
        Filter("owner", _("Owner"), choices=_owners),
        Filter("period", _("Created on"), choices=PERIOD_CHOICES),
    ]
    sorts = [
        Sort("newest", _("Newest first"), NEWEST),
        Sort("oldest", _("Oldest first"), OLDEST),
        Sort("name", _("Name, A to Z"), BY_NAME),
        Sort("-name", _("Name, Z to A"), BY_NAME_DESC),
    ]
    default_sort = "newest"
    # campaign_cancel refuses, row by row, what is over already (sent or cancelled).
    bulk_actions = [
        BulkAction(
            "cancel",
            _("Cancel"),
            run=lambda user, campaign, _value: campaign_cancel(by=user, campaign=campaign),
            permission="marketing.send_campaigns",
        )
    ]
    bulk_export = "core.export"

    def filtered(self, user, state: ListState) -> QuerySet:
        qs = selectors.campaigns_all()
        f = state.filters
        qs = _choose(qs, "status", f.get("status", ""), Campaign.Status.choices)
        qs = _choose(qs, "channel", f.get("channel", ""), Campaign.Channel.choices)
        qs = _choose(qs, "programme", f.get("programme", ""), Campaign.Programme.choices)
        qs = _owned(qs, user, f.get("owner", ""))
        qs = _since(qs, f.get("period", ""), "created_at")
        if state.search:
            qs = qs.filter(name__icontains=state.search)
        return qs

    def row_url(self, row: Campaign) -> str:
        return reverse("marketing:campaign_detail", args=[row.pk])

    def empty_action(self, user) -> tuple[str, Any] | None:
        if can(user, "marketing.send_campaigns"):
            return reverse("marketing:campaign_new"), _("New campaign")
        return None


CAMPAIGNS = CampaignList()


# --- call lists --------------------------------------------------------------------


def _recipients(condition: Q) -> Coalesce:
    """How many of the campaign's target customers meet ``condition``: a correlated
    subquery in the page's own query (no query per row)."""
    counted = (
        Recipient.objects.filter(condition, campaign=OuterRef("pk"), group=Recipient.Group.TARGET)
        .order_by()
        .values("campaign")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


# The figures of selectors.call_progress, for a page of lists at once.
TO_CALL = Q(status=Recipient.Status.PENDING, agent__isnull=True)
DONE = Q(status__in=[Recipient.Status.CALLED, Recipient.Status.SKIPPED])


def _number(value: int) -> str:
    from panorama.core.templatetags.formatting import number

    return number(value)


def _percent(campaign: Any) -> str:
    """The share of the target group called or skipped (the page's annotations)."""
    total = campaign.recipients_total
    return f"{round(100 * campaign.recipients_done / total) if total else 0} %"


class CallListList(ListDefinition):
    name = "call-lists"
    label = _("Call lists")
    url_name = "marketing:call_lists"
    noun = ngettext_lazy("%(count)s call list", "%(count)s call lists", "n")
    search_label = _("Campaign")
    search_placeholder = _("e.g. Spring offer")
    empty_title = _("No call list is open")
    empty_text = _("Marketing opens one by launching a campaign on the channel “Call list”.")
    columns = [
        Column("name", _("Campaign"), link=True, sort="name"),
        Column("programme", _("Programme"), value=lambda c: c.get_programme_display()),
        Column(
            "to_call",
            _("To call"),
            value=lambda c: _number(c.recipients_to_call),
            numeric=True,
            annotate=(("recipients_to_call", _recipients(TO_CALL)),),
        ),
        Column(
            "called",
            _("Called"),
            value=lambda c: _number(c.recipients_called),
            numeric=True,
            annotate=(("recipients_called", _recipients(Q(status=Recipient.Status.CALLED))),),
        ),
        Column(
            "done",
            _("Done"),
            value=_percent,
            numeric=True,
            annotate=(
                ("recipients_total", _recipients(Q())),
                ("recipients_done", _recipients(DONE)),
            ),
        ),
        Column("launched", _("Launched"), value=lambda c: _day(c.launched_at), default=False),
        Column("owner", _("Owner"), value=lambda c: _person(c.owner), default=False),
    ]
    filters = [
        Filter("programme", _("Programme"), choices=Campaign.Programme.choices),
        Filter(
            "left",
            _("To call"),
            choices=[
                ("some", _("Someone left to call")),
                ("none", _("Nobody left to call")),
            ],
        ),
        Filter("owner", _("Owner"), choices=_owners),
        Filter("period", _("Launched"), choices=PERIOD_CHOICES),
    ]
    sorts = [
        Sort("newest", _("Newest first"), NEWEST),
        Sort("oldest", _("Oldest first"), OLDEST),
        Sort("name", _("Name, A to Z"), BY_NAME),
        Sort("-name", _("Name, Z to A"), BY_NAME_DESC),
    ]
    default_sort = "newest"
    # Closing a call list is cancelling its campaign: marketing's right, its service;
    # the customers nobody called yet are skipped.
    bulk_actions = [
        BulkAction(
            "cancel",
            _("Close the call list"),
            run=lambda user, campaign, _value: campaign_cancel(by=user, campaign=campaign),
            permission="marketing.send_campaigns",
        )
    ]
    # Exported by who sees the list: filtered() shows nothing without marketing.make_calls.
    bulk_export = "core.export"

    def filtered(self, user, state: ListState) -> QuerySet:
        # The page asks marketing.make_calls first; the list's own endpoints (bulk,
        # export, saved views) show nobody else a row either.
        if not can(user, "marketing.make_calls"):
            return Campaign.objects.none()
        qs = selectors.call_lists_open()
        f = state.filters
        qs = _choose(qs, "programme", f.get("programme", ""), Campaign.Programme.choices)
        waiting = Exists(
            Recipient.objects.filter(TO_CALL, campaign=OuterRef("pk"), group=Recipient.Group.TARGET)
        )
        if f.get("left") == "some":
            qs = qs.filter(waiting)
        elif f.get("left") == "none":
            qs = qs.filter(~waiting)
        qs = _owned(qs, user, f.get("owner", ""))
        qs = _since(qs, f.get("period", ""), "launched_at")
        if state.search:
            qs = qs.filter(name__icontains=state.search)
        return qs

    def row_url(self, row: Campaign) -> str:
        return reverse("marketing:call_desk", args=[row.pk])


CALL_LISTS = CallListList()


# --- static lists ------------------------------------------------------------------


def _list_owners(user) -> list[tuple[str, Any]]:
    owners = (
        User.objects.filter(pk__in=StaticList.objects.values("owner_id"))
        .exclude(pk=user.pk)
        .order_by("first_name", "last_name", "username")
    )
    return [("me", _("Mine")), *((str(u.pk), _person(u)) for u in owners)]


# The name in place, through list_rename (the API's): an empty, too long or taken name is
# refused with the service's message in the cell.
STATIC_LIST_NAME_EDIT = Edit(
    field=lambda user: forms.CharField(label=_("Name"), required=False),
    initial=lambda static_list: static_list.name,
    save=lambda user, static_list, name: list_rename(by=user, static_list=static_list, name=name),
    permission="marketing.build_segments",
)


class StaticListList(ListDefinition):
    name = "static-lists"
    label = _("Static lists")
    url_name = "marketing:list_list"
    noun = ngettext_lazy("%(count)s list", "%(count)s lists", "n")
    search_label = _("Name")
    search_placeholder = _("e.g. Spring offer")
    empty_title = _("No lists yet")
    empty_text = _("Freeze a segment into one from its page, or import a file below.")
    columns = [
        Column("name", _("Name"), link=True, sort="name", edit=STATIC_LIST_NAME_EDIT),
        Column("segment", _("From segment"), value=lambda s: s.segment.name if s.segment else "—"),
        Column("size", _("Members"), value=lambda s: _number(s.size), numeric=True),
        Column("owner", _("Owner"), value=lambda s: _person(s.owner), default=False),
        Column("created", _("Created on"), value=lambda s: _day(s.created_at)),
    ]
    filters = [
        Filter(
            "origin",
            _("Made"),
            choices=[
                ("segment", _("From a segment")),
                ("hand", _("By hand or imported")),
            ],
        ),
        Filter("owner", _("Owner"), choices=_list_owners),
        Filter("period", _("Created on"), choices=PERIOD_CHOICES),
    ]
    sorts = [
        Sort("name", _("Name, A to Z"), BY_NAME),
        Sort("-name", _("Name, Z to A"), BY_NAME_DESC),
        Sort("newest", _("Newest first"), NEWEST),
    ]
    default_sort = "name"
    # list_refresh: the list follows its segment again; a hand-made list is refused.
    # list_delete: one a campaign, a journey or a sign-up form uses is refused, naming it.
    bulk_actions = [
        BulkAction(
            "refresh",
            _("Update from its segment"),
            run=lambda user, static_list, _value: list_refresh(by=user, static_list=static_list),
            permission="marketing.build_segments",
        ),
        delete_action(
            lambda user, static_list, _value: list_delete(by=user, static_list=static_list),
            _("Choose “Delete them for good” to delete the selected lists."),
            permission="marketing.build_segments",
        ),
    ]
    bulk_export = "core.export"

    def filtered(self, user, state: ListState) -> QuerySet:
        qs = selectors.lists_all().select_related("owner")
        f = state.filters
        if f.get("origin") == "segment":
            qs = qs.filter(segment__isnull=False)
        elif f.get("origin") == "hand":
            qs = qs.filter(segment__isnull=True)
        qs = _owned(qs, user, f.get("owner", ""))
        qs = _since(qs, f.get("period", ""), "created_at")
        if state.search:
            qs = qs.filter(name__icontains=state.search)
        return qs

    def row_url(self, row: StaticList) -> str:
        return reverse("marketing:list_detail", args=[row.pk])


STATIC_LISTS = StaticListList()
