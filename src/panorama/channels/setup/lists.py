"""The channel setup lists (sending identities, e-mail templates, messaging accounts,
tracked sites), for
the shared list component. Administrators and managers only: the views check
``channels.configure_channels`` before the list is drawn."""

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from panorama.automation.models import TrackedSite
from panorama.core.lists import Column, Filter, ListDefinition, ListState, Sort, attr
from panorama.core.pagination import Keyset

from ..models import MailTemplate, MessagingAccount, SendingIdentity

ACTIVE = [("on", _("Active")), ("off", _("Inactive"))]


def _active(row: Any) -> Any:
    if row.active:
        return format_html('<span class="pn-chip pn-chip-success">{}</span>', _("Active"))
    return format_html('<span class="pn-chip pn-chip-warning">{}</span>', _("Inactive"))


def _owner(row: SendingIdentity) -> Any:
    return row.owner if row.owner_id else _("Shared")


class _SetupList(ListDefinition):
    search_label = _("Name")
    sorts = [Sort("name", _("Name, A to Z"), Keyset("name", "id", types=(str, int)))]
    default_sort = "name"
    filters = [Filter("active", _("Status"), choices=ACTIVE)]
    model: Any = None
    edit_url = ""
    new_url = ""
    new_label: Any = ""

    def base(self) -> QuerySet:
        return self.model.objects.all()

    def filtered(self, user, state: ListState) -> QuerySet:
        qs = self.base()
        if state.search:
            qs = qs.filter(name__icontains=state.search)
        active = state.filters.get("active", "")
        if active in ("on", "off"):
            qs = qs.filter(active=active == "on")
        return qs

    def row_url(self, row) -> str:
        return reverse(self.edit_url, args=[row.pk])

    def empty_action(self, user) -> tuple[str, Any] | None:
        return reverse(self.new_url), self.new_label


class IdentityList(_SetupList):
    name = "sending_identities"
    label = _("Sending identities")
    url_name = "channels:identity_list"
    noun = ngettext_lazy("%(count)s identity", "%(count)s identities", "n")
    empty_title = _("No sending identities yet")
    empty_text = _("An identity is an address staff send e-mail from, personal or shared.")
    model = SendingIdentity
    edit_url = "channels:identity_edit"
    new_url = "channels:identity_new"
    new_label = _("New identity")
    columns = [
        Column("name", _("Name"), value=attr("name"), link=True, sort="name"),
        Column("from_address", _("From address"), value=attr("from_address")),
        Column("owner", _("Owner"), value=_owner),
        Column("status", _("Status"), value=_active),
    ]

    def base(self) -> QuerySet:
        return SendingIdentity.objects.select_related("owner")


class AccountList(_SetupList):
    name = "messaging_accounts"
    label = _("Messaging accounts")
    url_name = "channels:account_list"
    noun = ngettext_lazy("%(count)s account", "%(count)s accounts", "n")
    empty_title = _("No messaging accounts yet")
    empty_text = _("An account is one number at an SMS or messaging provider.")
    model = MessagingAccount
    edit_url = "channels:account_edit"
    new_url = "channels:account_new"
    new_label = _("New account")
    columns = [
        Column("name", _("Name"), value=attr("name"), link=True, sort="name"),
        Column("kind", _("Kind"), value=lambda row: row.get_kind_display()),
        Column("number", _("Our number"), value=attr("number")),
        Column("status", _("Status"), value=_active),
    ]


class SiteList(_SetupList):
    name = "tracked_sites"
    label = _("Tracked web sites")
    url_name = "channels:site_list"
    noun = ngettext_lazy("%(count)s site", "%(count)s sites", "n")
    empty_title = _("No tracked sites yet")
    empty_text = _("A site carries the tracking snippet and the chat widget.")
    model = TrackedSite
    edit_url = "channels:site_edit"
    new_url = "channels:site_new"
    new_label = _("New site")
    columns = [
        Column("name", _("Name"), value=attr("name"), link=True, sort="name"),
        Column("origins", _("Allowed origins"), value=lambda row: ", ".join(row.origin_list())),
        Column("status", _("Status"), value=_active),
    ]


class MailTemplateList(_SetupList):
    name = "mail_templates"
    label = _("E-mail templates")
    url_name = "channels:mail_template_list"
    noun = ngettext_lazy("%(count)s template", "%(count)s templates", "n")
    empty_title = _("No e-mail templates yet")
    empty_text = _("A template is a message to start from, in Spanish or English.")
    model = MailTemplate
    edit_url = "channels:mail_template_edit"
    new_url = "channels:mail_template_new"
    new_label = _("New template")
    sorts = [
        Sort(
            "name",
            _("Name, A to Z"),
            Keyset("name", "language", "id", types=(str, str, int)),
        )
    ]
    columns = [
        Column("name", _("Name"), value=attr("name"), link=True, sort="name"),
        Column("language", _("Language"), value=lambda row: row.get_language_display()),
        Column("subject", _("Subject"), value=attr("subject")),
        Column("status", _("Status"), value=_active),
    ]


IDENTITIES = IdentityList()
MAIL_TEMPLATES = MailTemplateList()
ACCOUNTS = AccountList()
SITES = SiteList()
