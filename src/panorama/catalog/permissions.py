"""The actions on the catalogue, registered in ``accounts.permissions`` from ``ready()``.

The catalogue is company-wide: every signed-in user reads all of it (no record-level
scope), and changing it (products, rates, options, price lists, promotions, financing
plans) is ``catalog.manage``: the roles in ``PANORAMA_CATALOG_ROLES`` (sales managers
and administrators by default), or users given the Django permission
"catalog.change_product" in the admin.
"""

from django.utils.translation import gettext_lazy as _

from panorama.accounts.permissions import register, role_in


def register_all() -> None:
    register(
        "catalog.manage",
        rule=role_in("PANORAMA_CATALOG_ROLES", perm="catalog.change_product"),
        message=_("Only sales managers and administrators may change the catalogue."),
    )
