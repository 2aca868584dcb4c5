"""Marketing's own lists on the shared list component (``core/lists/``): segments,
journeys and messages (templates). Each reads through the same selector as before
(segments scoped by ``segment_scope``; templates and journeys shared by the staff) and
its bulk action goes through marketing's own service, its permission and refusals
included; a refused row is reported with the service's reason and the others go on.
Each exports what it shows (CSV, XLSX); its name (and a journey's status) is edited in
place through the service its form calls."""

from typing import Any

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

from panorama.accounts import permissions
from panorama.accounts.models import Team
from panorama.core.lists import (
    BY_NAME,
    BY_NAME_DESC,
    NEWEST,
    BulkAction,
    Column,
    Edit,
    Filter,
    ListDefinition,
    ListState,
    Sort,
    chip,
    person,
)
from panorama.core.lists.actions import delete_action
from panorama.core.pagination import TimeKeyset

from . import selectors
from .models import Campaign, CampaignVariant, Journey, MessageTemplate, Segment
from .services.journeys import journey_delete, journey_save, journey_set_status
from .services.segments import segment_delete, segment_save
from .services.templates import template_delete, template_save

NAME_SORTS = [BY_NAME, BY_NAME_DESC]
UPDATED_SORTS = [
    Sort("updated", _("Recently updated"), TimeKeyset("-updated_at", "-id", types=(str, int))),
    Sort("-updated", _("Least recently updated"), TimeKeyset("updated_at", "id", types=(str, int))),
]
# "Mine" or "someone else's": the owner filter of segments and journeys.
OWNER_FILTER = Filter(
    "owner", _("Owner"), choices=[("me", _("Mine")), ("others", _("Someone else's"))]
)


def _day(value: Any) -> str:
    return date_format(localtime(value), "SHORT_DATE_FORMAT") if value else "—"


def _short(text: str, limit: int = 80) -> str:
    text = " ".join((text or "").split())
    if not text:
        return "—"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _by_owner(qs: QuerySet, value: str | None, user: Any) -> QuerySet:
    """``OWNER_FILTER`` applied: the user's own rows, or the others'."""
    if value == "me":
        return qs.filter(owner_id=user.pk)
    if value == "others":
        return qs.exclude(owner_id=user.pk)
    return qs


def _name_edit(save: Any, *, permission: str) -> Edit:
    """The name edited in place, saved by ``save(user, row, name)``: the record's own
    service, which refuses an empty name with its message (as its form does)."""
    return Edit(
        field=lambda user: forms.CharField(label=_("Name"), required=False),
        initial=lambda row: row.name,
        save=save,
        permission=permission,
    )


# --- segments ------------------------------------------------------------------------


def _segment_teams(user: Any) -> list[tuple[str, Any]]:
    """ "The whole staff", then the teams of the segments ``user`` sees (one query)."""
    teams = Team.objects.filter(
        pk__in=selectors.segments_visible_to(user).filter(team__isnull=False).values("team")
    ).order_by("name")
    return [("staff", _("The whole staff")), *((str(t.pk), t.name) for t in teams)]


def _delete_segment(user: Any, segment: Segment, _value: Any) -> None:
    segment_delete(by=user, segment=segment)


def _segment_rename(user: Any, segment: Segment, name: str) -> Segment:
    """The segment saved as it is but for its name (the builder's ``segment_save``)."""
    return segment_save(
        by=user, segment=segment, name=name, rules=segment.rules, description=segment.description
    )


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
        Column(
            "name",
            _("Name"),
            value=lambda s: s.name,
            link=True,
            sort="name",
            edit=_name_edit(_segment_rename, permission="marketing.build_segments"),
        ),
        Column("description", _("Description"), value=lambda s: _short(s.description)),
        Column(
            "team",
            _("Shown to"),
            value=lambda s: s.team.name if s.team else _("The whole staff"),
        ),
        Column("owner", _("Owner"), value=person("owner")),
        Column("priority", _("Priority"), value=lambda s: s.priority, numeric=True, default=False),
        Column("updated", _("Updated"), value=lambda s: _day(s.updated_at), sort="updated"),
    ]
    filters = [
        OWNER_FILTER,
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
    sorts = [*NAME_SORTS, *UPDATED_SORTS]
    default_sort = "name"
    # segment_delete: the right to build segments; a segment a campaign targets, an SLA
    # policy names or a loyalty rule uses is refused with why.
    bulk_actions = [
        delete_action(
            _delete_segment,
            _("Choose “Delete them for good” to delete the selected segments."),
            permission="marketing.build_segments",
        )
    ]
    bulk_export = "core.export"
    row_related = ("owner", "team")

    def filtered(self, user, state: ListState) -> QuerySet:
        qs = selectors.segments_visible_to(user)
        f = state.filters
        qs = _by_owner(qs, f.get("owner"), user)
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


# --- journeys ------------------------------------------------------------------------

JOURNEY_TONES = {"active": "success", "paused": "warning"}


def _trigger(journey: Journey) -> str:
    """What starts it, with what it names (the list, the form, the event, the days)."""
    text = journey.get_trigger_display()
    if journey.trigger_list:
        return f"{text}: {journey.trigger_list.name}"
    if journey.trigger_form:
        return f"{text}: {journey.trigger_form.name}"
    if journey.trigger_event:
        return f"{text}: {journey.trigger_event}"
    if journey.trigger_days:
        days = ngettext("within %(n)s day", "within %(n)s days", journey.trigger_days)
        return f"{text}: {days % {'n': journey.trigger_days}}"
    return text


def _journey_rename(user: Any, journey: Journey, name: str) -> Journey:
    """The journey saved as it is but for its name (the journey form's ``journey_save``)."""
    return journey_save(
        by=user,
        journey=journey,
        name=name,
        trigger=journey.trigger,
        trigger_list=journey.trigger_list_id,
        trigger_form=journey.trigger_form_id,
        trigger_event=journey.trigger_event,
        trigger_days=journey.trigger_days,
        allow_reentry=journey.allow_reentry,
    )


# Active or paused in place, through journey_set_status: a journey without steps is not
# activated, only an active one is paused (each refused with why, in the cell).
JOURNEY_STATUS_EDIT = Edit(
    field=lambda user: forms.ChoiceField(
        label=_("Status"),
        choices=[(s.value, s.label) for s in (Journey.Status.ACTIVE, Journey.Status.PAUSED)],
    ),
    initial=lambda journey: journey.status,
    save=lambda user, journey, status: journey_set_status(by=user, journey=journey, status=status),
    permission="marketing.send_campaigns",
)


def _set_status(status: str):
    """Activate or pause one journey through ``journey_set_status`` (a journey without
    steps is not activated, only an active one is paused: each refused with why)."""
    return lambda user, journey, _value: journey_set_status(by=user, journey=journey, status=status)


class JourneyList(ListDefinition):
    name = "journeys"
    label = _("Journeys")
    url_name = "marketing:journey_list"
    noun = ngettext_lazy("%(count)s journey", "%(count)s journeys", "n")
    search_label = _("Name")
    search_placeholder = _("e.g. welcome")
    empty_title = _("No journeys yet")
    empty_text = _("Welcome new subscribers with an e-mail, wait, then follow up.")
    columns = [
        Column(
            "name",
            _("Name"),
            value=lambda j: j.name,
            link=True,
            sort="name",
            edit=_name_edit(_journey_rename, permission="marketing.send_campaigns"),
        ),
        Column(
            "status", _("Status"), value=chip("status", JOURNEY_TONES), edit=JOURNEY_STATUS_EDIT
        ),
        Column("trigger", _("Starts when"), value=_trigger),
        Column("in_progress", _("In progress"), value=lambda j: j.in_progress, numeric=True),
        Column("owner", _("Owner"), value=person("owner"), default=False),
        Column("created", _("Created"), value=lambda j: _day(j.created_at), default=False),
    ]
    filters = [
        Filter("status", _("Status"), choices=Journey.Status.choices),
        Filter("trigger", _("Starts when"), choices=Journey.Trigger.choices),
        OWNER_FILTER,
    ]
    sorts = [*NAME_SORTS, NEWEST]
    default_sort = "name"
    bulk_actions = [
        BulkAction(
            "pause",
            _("Pause"),
            run=_set_status(Journey.Status.PAUSED),
            permission="marketing.send_campaigns",
        ),
        BulkAction(
            "activate",
            _("Activate"),
            run=_set_status(Journey.Status.ACTIVE),
            permission="marketing.send_campaigns",
        ),
        # journey_delete: an active journey, or one a customer entered, refused with why.
        delete_action(
            lambda user, journey, _value: journey_delete(by=user, journey=journey),
            _("Choose “Delete them for good” to delete the selected journeys."),
            permission="marketing.send_campaigns",
        ),
    ]
    bulk_export = "core.export"

    def filtered(self, user, state: ListState) -> QuerySet:
        qs = selectors.journeys_all().select_related("owner")
        f = state.filters
        if f.get("status") in Journey.Status.values:
            qs = qs.filter(status=f["status"])
        if f.get("trigger") in Journey.Trigger.values:
            qs = qs.filter(trigger=f["trigger"])
        qs = _by_owner(qs, f.get("owner"), user)
        if state.search:
            qs = qs.filter(name__icontains=state.search)
        return qs

    def row_url(self, row: Journey) -> str:
        return reverse("marketing:journey_detail", args=[row.pk])

    def empty_action(self, user) -> tuple[str, Any] | None:
        if permissions.can(user, "marketing.send_campaigns"):
            return reverse("marketing:journey_new"), _("New journey")
        return None


JOURNEYS = JourneyList()


# --- messages (templates) ------------------------------------------------------------


def _english(template: MessageTemplate) -> Any:
    return _("Yes") if template.subject_en else _("No")


def _delete_template(user: Any, template: MessageTemplate, _value: Any) -> None:
    template_delete(by=user, template=template)


def _template_rename(user: Any, template: MessageTemplate, name: str) -> MessageTemplate:
    """The message saved as it is but for its name (the editor's ``template_save``)."""
    return template_save(
        by=user,
        template=template,
        name=name,
        subject_es=template.subject_es,
        body_es=template.body_es,
        subject_en=template.subject_en,
        body_en=template.body_en,
    )


class TemplateList(ListDefinition):
    name = "message-templates"
    label = _("Messages")
    url_name = "marketing:template_list"
    noun = ngettext_lazy("%(count)s message", "%(count)s messages", "n")
    search_label = _("Name or subject")
    search_placeholder = _("e.g. welcome")
    empty_title = _("No messages yet")
    empty_text = _(
        "Write the e-mail a campaign sends, with the customer's name and conditions on his "
        "products."
    )
    columns = [
        Column(
            "name",
            _("Name"),
            value=lambda t: t.name,
            link=True,
            sort="name",
            edit=_name_edit(_template_rename, permission="marketing.send_campaigns"),
        ),
        Column("subject", _("Subject"), value=lambda t: t.subject_es),
        Column("english", _("English"), value=_english),
        Column("updated", _("Updated"), value=lambda t: _day(t.updated_at), sort="updated"),
    ]
    filters = [
        Filter(
            "english",
            _("English"),
            choices=[("yes", _("With an English version")), ("no", _("Spanish only"))],
        ),
        Filter(
            "use",
            _("Use"),
            choices=[("campaign", _("Sent by a campaign")), ("unused", _("No campaign"))],
        ),
    ]
    sorts = [*NAME_SORTS, *UPDATED_SORTS]
    default_sort = "name"
    # template_delete: the right to write messages; one a campaign, a journey or a
    # business rule sends is refused, naming it.
    bulk_actions = [
        delete_action(
            _delete_template,
            _("Choose “Delete them for good” to delete the selected messages."),
            permission="marketing.send_campaigns",
        )
    ]
    bulk_export = "core.export"

    def filtered(self, user, state: ListState) -> QuerySet:
        qs = selectors.templates_all()
        f = state.filters
        if f.get("english") == "yes":
            qs = qs.exclude(subject_en="")
        elif f.get("english") == "no":
            qs = qs.filter(subject_en="")
        sent = Exists(Campaign.objects.filter(template_id=OuterRef("pk"))) | Exists(
            CampaignVariant.objects.filter(template_id=OuterRef("pk"))
        )
        if f.get("use") == "campaign":
            qs = qs.filter(sent)
        elif f.get("use") == "unused":
            qs = qs.exclude(sent)
        if state.search:
            qs = qs.filter(Q(name__icontains=state.search) | Q(subject_es__icontains=state.search))
        return qs

    def row_url(self, row: MessageTemplate) -> str:
        return reverse("marketing:template_edit", args=[row.pk])

    def empty_action(self, user) -> tuple[str, Any] | None:
        if permissions.can(user, "marketing.send_campaigns"):
            return reverse("marketing:template_new"), _("New message")
        return None


TEMPLATES = TemplateList()
