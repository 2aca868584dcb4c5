"""The service actions, registered in ``accounts.permissions`` from ``ready()``."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from panorama.accounts.models import Role, User
from panorama.accounts.permissions import may_edit, register


def may_configure(user: User, obj: Any = None) -> bool:
    """The service set-up (queues, business-hours calendars, SLA policies) is the
    managers': administrators, service agents who manage a team, or whoever is given
    the Django permission to change SLA policies."""
    return (
        user.role == Role.ADMIN
        or user.has_perm("service.change_slapolicy")
        or (user.role == Role.SERVICE_AGENT and user.managed_teams.exists())
    )


def may_edit_knowledge(user: User, obj: Any = None) -> bool:
    """The knowledge base is written by service agents and administrators, or by
    anyone given the Django permission to change articles (a "Knowledge editors" group
    in the admin)."""
    return user.role in (Role.SERVICE_AGENT, Role.ADMIN) or user.has_perm("service.change_article")


def may_track_quality(user: User, obj: Any = None) -> bool:
    """Confirming, fixing and closing defects: service agents and administrators, or
    whoever is given the Django permission to change defects (a quality team)."""
    return user.role in (Role.SERVICE_AGENT, Role.ADMIN) or user.has_perm("service.change_defect")


def may_call(user: User, obj: Any = None) -> bool:
    """Click-to-call: a role that works with customers, with an active extension."""
    from .models import Extension

    return (
        may_edit(user, obj)
        and Extension.objects.filter(user=user, active=True, pbx__active=True).exists()
    )


def may_dispatch(user: User, obj: Any = None) -> bool:
    """Dispatchers plan the technicians' work: administrators, the managers of a team,
    or whoever has the Django permission to change work orders (a "Dispatchers" group)."""
    return (
        user.role == Role.ADMIN
        or user.has_perm("service.change_workorder")
        or user.managed_teams.exists()
    )


def may_do_field_work(user: User, obj: Any = None) -> bool:
    """Field work (starting, filling in and completing a work order, using parts) is the
    technicians' (an active technician profile), and the dispatchers'."""
    from .models import TechnicianProfile

    return TechnicianProfile.objects.filter(user=user, active=True).exists() or may_dispatch(
        user, obj
    )


def register_all() -> None:
    register(
        "service.edit",
        rule=may_edit,
        message=_("Your role can read cases but not change them."),
    )
    register(
        "service.configure",
        rule=may_configure,
        message=_(
            "Only service managers and administrators can change the service set-up "
            "(queues, calendars, SLA policies)."
        ),
    )
    register(
        "service.kb_edit",
        rule=may_edit_knowledge,
        message=_("Only service agents and knowledge editors can write knowledge base articles."),
    )
    register(
        "service.call",
        rule=may_call,
        message=_("You need a phone extension (ask an administrator) to place calls."),
    )
    register(
        "service.dispatch",
        rule=may_dispatch,
        message=_("Only dispatchers (team managers, administrators) can plan work orders."),
    )
    register(
        "service.field_work",
        rule=may_do_field_work,
        message=_("Only technicians and dispatchers can work on work orders."),
    )
    register(
        "service.parts",
        rule=may_dispatch,
        message=_("Only dispatchers and administrators can move parts between locations."),
    )
    register(
        "service.quality",
        rule=may_track_quality,
        message=_("Only service agents and the quality team can change a defect's status."),
    )
