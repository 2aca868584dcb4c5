"""What sales gives the Ctrl+K palette (core/palette.py): the agenda's actions."""

from django.utils.translation import gettext_lazy as _

from panorama.core import palette


def register() -> None:
    palette.register_action(
        palette.Action(
            _("Plan a call"),
            "sales:activity_new",
            icon="telephone-plus",
            permission="sales.plan",
            keywords=_("agenda visit meeting task schedule"),
        )
    )
    palette.register_action(
        palette.Action(
            _("My agenda"),
            "sales:agenda",
            icon="calendar-week",
            keywords=_("today calendar calls visits"),
        )
    )
    palette.register_action(
        palette.Action(
            _("Forecast"), "sales:forecast", icon="graph-up-arrow", keywords=_("quota pipeline")
        )
    )
