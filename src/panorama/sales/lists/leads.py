"""The lead list, declared once for the shared list component (core/lists.py)."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from panorama.accounts import permissions
from panorama.accounts.models import Team
from panorama.core.lists import (
    NEWEST,
    BulkAction,
    Column,
    Filter,
    ListDefinition,
    ListState,
    Sort,
    attr,
    chip,
    choice,
    named_choices,
    person,
)
from panorama.core.pagination import Keyset
from panorama.customers.selectors import teams_in_scope

from .. import selectors
from ..forms.leads import LeadAssignForm
from ..models import Lead
from ..services.lead import lead_assign, lead_status_change

STATUS_TONES = {
    "new": "warning",
    "working": "info",
    "qualified": "success",
    "converted": "success",
    "disqualified": "danger",
}


def _teams(user) -> list[tuple[str, str]]:
    teams = teams_in_scope(user)
    qs = Team.objects.all() if teams is None else teams
    return named_choices(qs)


def _assign(user, lead: Lead, owner) -> Any:
    # The lead keeps its team; the service refuses an owner outside it or out of sight.
    return lead_assign(
        by=user, lead_id=lead.pk, owner_id=owner.pk if owner else None, team_id=lead.team_id
    )


def _owner_before(lead: Lead) -> dict[str, Any]:
    return {"owner": lead.owner_id, "team": lead.team_id}


def _owner_undo(user, lead: Lead, before: dict[str, Any]) -> Any:
    return lead_assign(by=user, lead_id=lead.pk, owner_id=before["owner"], team_id=before["team"])


def _status_before(lead: Lead) -> dict[str, Any]:
    return {"status": lead.status, "reason": lead.disqualify_reason}


def _status_undo(user, lead: Lead, before: dict[str, Any]) -> Any:
    # The status it had, whatever the lifecycle's usual steps (new again, or disqualified
    # with its reason): the service's ``restore``.
    return lead_status_change(
        by=user, lead_id=lead.pk, status=before["status"], reason=before["reason"], restore=True
    )


def _status_field(user) -> forms.Field:
    # Disqualifying needs a reason and converting has its own page: neither in bulk.
    allowed = [Lead.Status.WORKING, Lead.Status.QUALIFIED]
    return forms.ChoiceField(label=_("Status"), choices=[(s.value, s.label) for s in allowed])


class LeadList(ListDefinition):
    name = "leads"
    label = _("Leads")
    url_name = "sales:lead_list"
    noun = ngettext_lazy("%(count)s lead", "%(count)s leads", "n")
    search_label = _("Name, company or e-mail")
    search_placeholder = _("e.g. Soto, Acme, eva@acme.es")
    empty_title = _("No leads yet")
    empty_text = _("Capture one by hand, import a file or publish a web form.")
    columns = [
        Column("name", _("Name"), value=attr("name"), link=True),
        Column("company", _("Company"), value=attr("company")),
        Column("status", _("Status"), value=chip("status", STATUS_TONES), sort="status"),
        Column("score", _("Score"), value=attr("score"), numeric=True, sort="score"),
        Column("source", _("Source"), value=choice("source")),
        Column("owner", _("Rep"), value=person("owner")),
        Column("team", _("Team"), value=attr("team.name"), default=False),
        Column("email", _("E-mail"), value=attr("email"), default=False),
        Column("phone", _("Phone"), value=attr("phone"), default=False),
        Column(
            "created",
            _("Captured"),
            value=lambda lead: formats.date_format(lead.created_at, "SHORT_DATE_FORMAT"),
            sort="newest",
        ),
    ]
    filters = [
        Filter("status", _("Status"), choices=Lead.Status.choices),
        Filter("source", _("Source"), choices=Lead.Source.choices),
        Filter("mine", _("Rep"), choices=[("on", _("Only my leads"))]),
        Filter("team", _("Team"), choices=_teams),
    ]
    sorts = [
        NEWEST,
        Sort("score", _("Highest score first"), Keyset("-score", "-id", types=(int, int))),
        Sort("-score", _("Lowest score first"), Keyset("score", "id", types=(int, int))),
        Sort("status", _("Status"), Keyset("status", "-id", types=(str, int))),
    ]
    default_sort = "newest"
    bulk_actions = [
        BulkAction(
            "owner",
            _("Assign rep"),
            field=lambda user: LeadAssignForm().fields["owner"],
            run=_assign,
            before=_owner_before,
            undo=_owner_undo,
            changed_since=_("Reassigned since: left as it is."),
            permission="sales.edit",
        ),
        BulkAction(
            "status",
            _("Change status"),
            field=_status_field,
            run=lambda user, lead, status: lead_status_change(
                by=user, lead_id=lead.pk, status=status
            ),
            before=_status_before,
            undo=_status_undo,
            changed_since=_("Its status was changed since: left as it is."),
            permission="sales.edit",
        ),
    ]
    bulk_export = "customers.export"  # the deployment's one switch for personal data
    row_related = ("owner", "team")

    def filtered(self, user, state: ListState) -> QuerySet:
        team = state.filters.get("team", "")
        return selectors.leads_matching(
            user=user,
            search=state.search,
            status=state.filters.get("status", ""),
            source=state.filters.get("source", ""),
            owner_id=user.pk if state.filters.get("mine") else None,
            team_id=int(team) if team.isdigit() else None,
        )

    def row_url(self, row: Lead) -> str:
        return reverse("sales:lead_detail", args=[row.pk])

    def empty_action(self, user) -> tuple[str, Any] | None:
        if permissions.can(user, "sales.edit"):
            return reverse("sales:lead_create"), _("New lead")
        return None


LEADS = LeadList()
