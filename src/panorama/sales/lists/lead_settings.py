"""The lead settings as shared lists (core/lists), one tab each: scoring rules,
assignment rules and web forms. Read through ``lead_configs_visible_to`` (only for
``sales.configure``), activated or deactivated in bulk through ``lead_config_save``
(the form's and the API's path: the model's own validation)."""

from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from panorama.accounts.models import Team
from panorama.core.lists import (
    ACTIVE_CHOICES,
    BY_NAME,
    NEWEST,
    BulkAction,
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
    attr,
    choice,
    id_value,
    named_choices,
)
from panorama.core.pagination import Keyset

from ..models import AssignmentRule, ScoringRule, WebForm
from ..services.lead_config import CONFIGURABLE, lead_config_save, lead_configs_visible_to

BY_POSITION = Sort(
    "position", _("In the order they apply"), Keyset("position", "id", types=(int, int))
)
STATE_FILTER = Filter("active", _("State"), choices=ACTIVE_CHOICES)


def _save(kind: str, name: str):
    """Save one field of a lead setting through ``lead_config_save`` (the form's and the
    API's path: the model's own validation, ``sales.configure``)."""
    return lambda user, row, value: lead_config_save(
        by=user, kind=kind, obj_id=row.pk, values={name: value}
    )


def _edit(kind: str, name: str) -> Edit:
    """A cell edited in place with the settings form's own field (built from the model)."""
    return Edit(
        field=lambda user: forms.fields_for_model(CONFIGURABLE[kind], fields=[name])[name],
        initial=lambda row: getattr(row, name),
        save=_save(kind, name),
        permission="sales.configure",
    )


def _name(kind: str) -> Column:
    return Column("name", _("Name"), link=True, sort="name", edit=_edit(kind, "name"))


def _state(kind: str) -> Column:
    return Column(
        "active",
        _("State"),
        value=active_chip(),
        edit=active_edit(_save(kind, "active"), permission="sales.configure"),
    )


POSITION = Column("position", _("Position"), numeric=True, sort="position", default=False)


def _teams(user: Any) -> list[tuple[str, Any]]:
    return named_choices(Team.objects.all())


def _toggle(kind: str) -> BulkAction:
    """*Activate or deactivate*: a save of ``active`` through the service, row by row."""
    return active_toggle(_save(kind, "active"), permission="sales.configure")


class _LeadSettingList(ListDefinition):
    kind = ""  # the service's kind of lead setting
    kinds: Sequence[str] = ()  # the values of its "kind" filter
    search_label = _("Name")
    # Only who configures leads sees these lists (the page is 403 for anyone else).
    bulk_export = "sales.configure"

    def filtered(self, user, state: ListState) -> QuerySet:
        qs = lead_configs_visible_to(user=user, kind=self.kind).order_by()
        active = active_value(state)
        if active is not None:
            qs = qs.filter(active=active)
        if state.filters.get("kind", "") in self.kinds:
            qs = qs.filter(kind=state.filters["kind"])
        team = id_value(state, "team")
        if team is not None:
            qs = qs.filter(team_id=team)
        if state.search:
            qs = qs.filter(name__icontains=state.search)
        return qs

    def row_url(self, row: Any) -> str:
        return reverse("sales:lead_config_edit", args=[self.kind, row.pk])


def _scoring_when(rule: ScoringRule) -> Any:
    if rule.kind == ScoringRule.Kind.FIELD:
        return rule.condition_text
    text = rule.get_activity_kind_display()
    if rule.max_points:
        text = _("%(activity)s (at most %(n)s)") % {"activity": text, "n": rule.max_points}
    return text


class _RuleList(_LeadSettingList):
    """Scoring and assignment rules: applied in their order, listed in it."""

    sorts = [BY_POSITION, BY_NAME]
    default_sort = "position"


class ScoringRuleList(_RuleList):
    kind = "scoring"
    name = "lead_scoring_rules"
    label = _("Scoring rules")
    url_name = "sales:lead_settings"
    noun = ngettext_lazy("%(count)s scoring rule", "%(count)s scoring rules", "n")
    empty_title = _("No scoring rule yet")
    empty_text = _("Every lead scores 0 until a rule gives or takes points.")
    columns = [
        _name("scoring"),
        Column("kind", _("Kind"), value=choice("kind")),
        Column("when", _("When"), value=_scoring_when),
        Column("points", _("Points"), numeric=True, edit=_edit("scoring", "points")),
        POSITION,
        _state("scoring"),
    ]
    filters = [
        STATE_FILTER,
        Filter("kind", _("Kind"), choices=ScoringRule.Kind.choices),
    ]
    bulk_actions = [_toggle("scoring")]
    kinds = ScoringRule.Kind.values


def _assignee(rule: AssignmentRule) -> Any:
    if rule.owner_id:
        owner = rule.owner.get_full_name() or rule.owner.username  # type: ignore[union-attr]
        return f"{rule.team} · {owner}"
    return str(rule.team)


class AssignmentRuleList(_RuleList):
    kind = "assignment"
    name = "lead_assignment_rules"
    label = _("Assignment rules")
    url_name = "sales:lead_settings_assignment"
    noun = ngettext_lazy("%(count)s assignment rule", "%(count)s assignment rules", "n")
    empty_title = _("No assignment rule yet")
    empty_text = _("A lead without an owner stays unassigned.")
    columns = [
        _name("assignment"),
        Column("kind", _("Kind"), value=choice("kind")),
        Column("team", _("Team"), value=_assignee),
        Column(
            "capacity",
            _("Capacity"),
            value=attr("capacity"),
            numeric=True,
            edit=_edit("assignment", "capacity"),
        ),
        POSITION,
        _state("assignment"),
    ]
    filters = [
        STATE_FILTER,
        Filter("kind", _("Kind"), choices=AssignmentRule.Kind.choices),
        Filter("team", _("Team"), choices=_teams),
    ]
    bulk_actions = [_toggle("assignment")]
    kinds = AssignmentRule.Kind.values


def _snippet(form: WebForm) -> Any:
    return format_html(
        '<a href="{}">{}<span class="visually-hidden"> {}</span></a>',
        reverse("sales:webform_snippet", args=[form.pk]),
        _("Snippet"),
        form.name,
    )


class WebFormList(_LeadSettingList):
    kind = "webform"
    name = "lead_web_forms"
    label = _("Web forms")
    url_name = "sales:lead_settings_webforms"
    noun = ngettext_lazy("%(count)s web form", "%(count)s web forms", "n")
    empty_title = _("No web form yet")
    empty_text = _("A web form on your site turns its visitors' requests into leads.")
    columns = [
        _name("webform"),
        Column("team", _("Team"), value=attr("team")),
        Column("snippet", _("Snippet"), value=_snippet),
        _state("webform"),
    ]
    filters = [
        STATE_FILTER,
        Filter("team", _("Team"), choices=_teams),
    ]
    sorts = [
        BY_NAME,
        NEWEST,
    ]
    default_sort = "name"
    bulk_actions = [_toggle("webform")]


SCORING_RULES = ScoringRuleList()
ASSIGNMENT_RULES = AssignmentRuleList()
WEB_FORMS = WebFormList()
LEAD_SETTING_LISTS = {
    "scoring": SCORING_RULES,
    "assignment": ASSIGNMENT_RULES,
    "webform": WEB_FORMS,
}
