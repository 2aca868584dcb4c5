"""What marketing adds to other apps' lists: "Add to marketing list" and "Create a
marketing list" on the customer list's bulk bar (selected rows or all that match),
through ``list_create`` and ``list_members_change``: the same services, validation,
scoping and events as the lists' own page and API."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from panorama.core.exceptions import NotFound
from panorama.core.lists.actions import BulkAction, bulk_action_add

from .models import StaticList
from .services.segments import list_create, list_members_change


def _lists_field(user) -> forms.Field:
    return forms.ModelChoiceField(
        StaticList.objects.order_by("name", "id"),
        label=_("Marketing list"),
        empty_label=None,
    )


def _add(user, customers: list, static_list: StaticList) -> Any:
    # One call per chunk: one write, one "list.changed" event, journeys enrolled once.
    return list_members_change(by=user, static_list=static_list, add=[c.pk for c in customers])


ADD_TO_LIST = BulkAction(
    "add_to_list",
    _("Add to marketing list"),
    field=_lists_field,
    run_many=_add,
    permission="marketing.build_segments",
)


def _name_field(user) -> forms.Field:
    # Required in the service (its message); the field only bounds the text.
    return forms.CharField(
        label=_("Name of the new list"),
        max_length=StaticList._meta.get_field("name").max_length,
        required=False,
    )


def _create(user, name: str) -> str:
    """The new, empty list (the service's name rules and permission): the rows then go
    into it by its id, chunk by chunk."""
    return str(list_create(by=user, name=name).pk)


def _add_to_new(user, customers: list, list_id: str) -> Any:
    static_list = StaticList.objects.filter(pk=int(list_id)).first()
    if static_list is None:  # deleted while the job ran: its rows refused, with why
        raise NotFound(_("This marketing list no longer exists."))
    return list_members_change(by=user, static_list=static_list, add=[c.pk for c in customers])


CREATE_LIST = BulkAction(
    "create_list",
    _("Create a marketing list"),
    field=_name_field,
    prepare=_create,
    run_many=_add_to_new,
    permission="marketing.build_segments",
)


def register() -> None:
    bulk_action_add("customers", ADD_TO_LIST)
    bulk_action_add("customers", CREATE_LIST)
