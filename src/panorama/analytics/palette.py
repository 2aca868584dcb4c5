"""The analytics pages in the command palette."""

from django.utils.translation import gettext_lazy as _

from panorama.core import palette


def register() -> None:
    palette.register_action(
        palette.Action(
            _("Import an order history"),
            "analytics:orders_import",
            icon="cart-check",
            permission="analytics.import_orders",
            keywords=_("upload file csv orders purchases history"),
        )
    )
    palette.register_action(
        palette.Action(
            _("Customer clusters"),
            "analytics:clusters",
            icon="diagram-3",
            permission="analytics.run_models",
            keywords=_("segmentation k-means groups data mining"),
        )
    )
    palette.register_action(
        palette.Action(
            _("Sales forecast"),
            "analytics:forecast",
            icon="graph-up-arrow",
            permission="analytics.run_models",
            keywords=_("forecast revenue orders months SARIMAX prediction"),
        )
    )
    palette.register_action(
        palette.Action(
            _("Reports"),
            "analytics:report_list",
            icon="table",
            keywords=_("report builder chart table warehouse export"),
        )
    )
