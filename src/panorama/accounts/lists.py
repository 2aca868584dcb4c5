"""The staff screens' lists (users, teams, API tokens) for the shared list component.
Each reads through ``selectors``, which check the reader's right first."""

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from panorama.core.lists import Column, Filter, ListDefinition, ListState, Sort, attr, choice
from panorama.core.pagination import Keyset

from . import selectors
from .models import ApiToken, Role, Team, User
from .permissions import can

BY_USERNAME = Keyset("username", "id", types=(str, int))
BY_NAME = Keyset("name", "id", types=(str, int))


def _when(value: Any) -> Any:
    return date_format(localtime(value), "SHORT_DATETIME_FORMAT") if value else "—"


def _names(items: Any) -> str:
    return ", ".join(str(item) for item in items) or "—"


def _status(active: bool) -> Any:
    if active:
        return format_html('<span class="pn-chip pn-chip-success">{}</span>', _("Active"))
    return format_html('<span class="pn-chip">{}</span>', _("Deactivated"))


def _team_choices(user: Any) -> list[tuple[str, Any]]:
    return [(str(pk), name) for pk, name in Team.objects.values_list("pk", "name")]


class UserList(ListDefinition):
    name = "staff-users"
    label = _("Users")
    url_name = "staff:user_list"
    noun = ngettext_lazy("%(count)s user", "%(count)s users", "n")
    search_label = _("Name, username or e-mail")
    empty_title = _("No users yet")
    empty_text = _("Add the people who work in Panorama, with their role and teams.")
    columns = [
        Column("username", _("Username"), value=attr("username"), link=True, sort="username"),
        Column("name", _("Name"), value=lambda u: u.get_full_name() or "—"),
        Column("email", _("E-mail"), value=attr("email")),
        Column("role", _("Role"), value=choice("role")),
        Column("teams", _("Teams"), value=lambda u: _names(u.teams.all())),
        Column("managed", _("Manages"), value=lambda u: _names(u.managed_teams.all())),
        Column("active", _("Status"), value=lambda u: _status(u.is_active)),
        Column("last_login", _("Last sign-in"), value=lambda u: _when(u.last_login)),
    ]
    filters = [
        Filter("active", _("Status"), choices=[("on", _("Active")), ("off", _("Deactivated"))]),
        Filter("role", _("Role"), choices=Role.choices),
        Filter("team", _("Team"), choices=_team_choices),
    ]
    sorts = [Sort("username", _("Username, A to Z"), BY_USERNAME)]
    default_sort = "username"

    def filtered(self, user, state: ListState) -> QuerySet:
        return selectors.users_filter(
            selectors.users_all(by=user),
            search=state.search,
            active=state.filters.get("active", ""),
            role=state.filters.get("role", ""),
            team=state.filters.get("team", ""),
        )

    def row_url(self, row: User) -> str:
        return reverse("staff:user_edit", args=[row.pk])

    def empty_action(self, user) -> tuple[str, Any] | None:
        if can(user, "accounts.manage_users"):
            return reverse("staff:user_new"), _("New user")
        return None


class TeamList(ListDefinition):
    name = "staff-teams"
    label = _("Teams")
    url_name = "staff:team_list"
    noun = ngettext_lazy("%(count)s team", "%(count)s teams", "n")
    search_label = _("Name")
    empty_title = _("No teams yet")
    empty_text = _("Teams decide which customers and records a rep and his manager see.")
    columns = [
        Column("name", _("Name"), value=attr("name"), link=True, sort="name"),
        Column("parent", _("Under"), value=attr("parent.name")),
        Column("members", _("Members"), value=attr("member_count"), numeric=True),
        Column("managers", _("Managers"), value=lambda t: _names(t.managers.all())),
    ]
    sorts = [Sort("name", _("Name, A to Z"), BY_NAME)]
    default_sort = "name"

    def filtered(self, user, state: ListState) -> QuerySet:
        qs = selectors.teams_all(by=user)
        if state.search:
            qs = qs.filter(name__istartswith=state.search)
        return qs

    def row_url(self, row: Team) -> str:
        return reverse("staff:team_edit", args=[row.pk])

    def empty_action(self, user) -> tuple[str, Any] | None:
        if can(user, "accounts.manage_users"):
            return reverse("staff:team_new"), _("New team")
        return None


class TokenList(ListDefinition):
    name = "staff-tokens"
    label = _("API tokens")
    url_name = "staff:token_list"
    noun = ngettext_lazy("%(count)s token", "%(count)s tokens", "n")
    search_label = None
    empty_title = _("No API tokens yet")
    empty_text = _("A token lets a program use the API as one user. Its secret is shown once.")
    columns = [
        Column("prefix", _("Token"), value=lambda t: f"{t.prefix}…", link=True),
        Column("name", _("Name"), value=attr("name")),
        Column("user", _("User"), value=attr("user.username")),
        Column("created_at", _("Created"), value=lambda t: _when(t.created_at)),
        Column("last_used_at", _("Last used"), value=lambda t: _when(t.last_used_at)),
        Column("status", _("Status"), value=lambda t: _token_status(t)),
    ]
    filters = [
        Filter("status", _("Status"), choices=[("on", _("Active")), ("off", _("Revoked"))]),
        Filter("owner", _("Owner"), choices=[("me", _("Mine"))]),
    ]
    sorts = [Sort("newest", _("Newest first"), Keyset("-id", types=(int,)))]
    default_sort = "newest"

    def filtered(self, user, state: ListState) -> QuerySet:
        qs = selectors.tokens_visible_to(user)
        status = state.filters.get("status", "")
        if status in ("on", "off"):
            qs = qs.filter(revoked_at__isnull=status == "on")
        if state.filters.get("owner") == "me":
            qs = qs.filter(user=user)
        return qs

    def row_url(self, row: ApiToken) -> str:
        return reverse("staff:token_detail", args=[row.pk])

    def empty_action(self, user) -> tuple[str, Any] | None:
        if can(user, "accounts.manage_tokens"):
            return reverse("staff:token_new"), _("New token")
        return None


def _token_status(token: ApiToken) -> Any:
    if token.revoked_at:
        return format_html('<span class="pn-chip pn-chip-danger">{}</span>', _("Revoked"))
    return format_html('<span class="pn-chip pn-chip-success">{}</span>', _("Active"))


USERS = UserList()
TEAMS = TeamList()
TOKENS = TokenList()
