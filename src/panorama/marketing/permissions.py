"""Marketing's actions, registered in ``accounts.permissions`` from ``ready()``.

Marketing people and administrators build segments, lists and templates and send
campaigns; sales managers may build segments and lists for their teams (what they count
is scoped to what they see) but not send; everyone but analysts records a response."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from panorama.accounts.models import Role, User
from panorama.accounts.permissions import may_edit, register


def may_build_segments(user: User, obj: Any = None) -> bool:
    return user.role in (Role.MARKETING, Role.ADMIN, Role.SALES_MANAGER)


def may_send_campaigns(user: User, obj: Any = None) -> bool:
    return user.role in (Role.MARKETING, Role.ADMIN)


def register_all() -> None:
    register(
        "marketing.build_segments",
        rule=may_build_segments,
        message=_("Only marketing, sales managers and administrators build segments and lists."),
    )
    register(
        "marketing.send_campaigns",
        rule=may_send_campaigns,
        message=_("Only marketing and administrators write messages and send campaigns."),
    )
    register(
        "marketing.make_calls",
        rule=may_edit,
        message=_("Your role can read call lists but not make their calls."),
    )
    register(
        "marketing.record_response",
        rule=may_edit,
        message=_("Your role can read campaigns but not record a customer's response."),
    )
