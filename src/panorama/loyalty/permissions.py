"""Loyalty's actions, registered in ``accounts.permissions`` from ``ready()``.

Marketing and administrators design programmes (tiers, rules, rewards); whoever may
change customers (every role but analysts) enrols them and redeems their rewards; a
manual adjustment of points is for administrators, marketing and sales managers."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from panorama.accounts.models import Role, User
from panorama.accounts.permissions import may_edit, register


def may_manage(user: User, obj: Any = None) -> bool:
    return user.role in (Role.MARKETING, Role.ADMIN)


def may_adjust(user: User, obj: Any = None) -> bool:
    return user.role in (Role.MARKETING, Role.ADMIN, Role.SALES_MANAGER)


def register_all() -> None:
    register(
        "loyalty.manage",
        rule=may_manage,
        message=_("Only marketing and administrators design loyalty programmes."),
    )
    register(
        "loyalty.operate",
        rule=may_edit,
        message=_("Your role can read loyalty members but not enrol them or redeem points."),
    )
    register(
        "loyalty.adjust",
        rule=may_adjust,
        message=_("Only managers, marketing and administrators adjust points by hand."),
    )
