"""What marketing adds to other apps' lists: "Add to marketing list" on the customer
list's bulk bar (selected rows or all that match), through ``list_members_change``: the
same service, scoping and event as the list's own page and API."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from panorama.core.lists.actions import BulkAction, bulk_action_add

from .models import StaticList
from .services.segments import list_members_change


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


def register() -> None:
    bulk_action_add("customers", ADD_TO_LIST)
