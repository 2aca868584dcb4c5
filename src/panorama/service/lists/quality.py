"""The quality team's defects list."""

from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from panorama.accounts import permissions
from panorama.core.lists import (
    Column,
    Filter,
    ListDefinition,
    ListState,
    Sort,
    attr,
    chip,
)
from panorama.core.pagination import Keyset

from ..models import Defect

DEFECT_STATUS_TONES = {
    "new": "info",
    "confirmed": "warning",
    "fixed": "success",
    "rejected": "secondary",
}
SEVERITY_TONES = {"critical": "danger", "major": "warning", "minor": "secondary"}
DEFECT_OPEN_CHOICES = [("open", _("Open (new or confirmed)")), *Defect.Status.choices]


def _products(user) -> list[tuple[str, str]]:
    from panorama.catalog.models import Product

    ids = Defect.objects.order_by().values("product_id").distinct()
    return [
        (str(pk), name)
        for pk, name in Product.objects.filter(pk__in=ids)
        .order_by("name")
        .values_list("pk", "name")
    ]


class DefectList(ListDefinition):
    name = "defects"
    label = _("Defects")
    url_name = "service:defect_list"
    noun = ngettext_lazy("%(count)s defect", "%(count)s defects", "n")
    search_label = _("Reference, title or component")
    search_placeholder = _("e.g. D-000012, battery")
    empty_title = _("No defects recorded")
    empty_text = _(
        "Record a fault found in a product, from here or from the case that revealed it."
    )
    columns = [
        Column("reference", _("Reference"), value=attr("reference"), link=True),
        Column("title", _("Title"), value=attr("title")),
        Column("product", _("Product"), value=attr("product.name")),
        Column("version", _("Version"), value=attr("version")),
        Column("component", _("Component"), value=attr("component")),
        Column("severity", _("Severity"), value=chip("severity", SEVERITY_TONES)),
        Column("status", _("Status"), value=chip("status", DEFECT_STATUS_TONES)),
        Column("cases", _("Cases"), value=attr("case_count")),
        Column("found_on", _("Found on"), value=attr("found_on"), default=False),
    ]
    filters = [
        Filter("status", _("Status"), choices=DEFECT_OPEN_CHOICES),
        Filter("severity", _("Severity"), choices=Defect.Severity.choices),
        Filter("product", _("Product"), choices=_products),
    ]
    sorts = [
        Sort("newest", _("Newest first"), Keyset("-id", types=(int,))),
        Sort("oldest", _("Oldest first"), Keyset("id", types=(int,))),
    ]
    default_sort = "newest"

    def filtered(self, user, state: ListState) -> QuerySet:
        from ..selectors.defects import defects_filtered

        f = state.filters
        status = f.get("status") or ""
        qs = defects_filtered(
            product_id=int(f["product"]) if (f.get("product") or "").isdigit() else None,
            status=status if status in Defect.Status.values else "",
            severity=f.get("severity", "") if f.get("severity") in Defect.Severity.values else "",
            open_only=status == "open",
        )
        if state.search:
            text = state.search.strip()
            if text.upper().startswith("D-"):
                qs = qs.filter(reference__iexact=text)
            else:
                qs = qs.filter(Q(title__icontains=text) | Q(component__icontains=text))
        return qs

    def row_url(self, row) -> str:
        return reverse("service:defect_detail", args=[row.pk])

    def empty_action(self, user) -> tuple[str, Any] | None:
        if permissions.can(user, "service.edit"):
            return reverse("service:defect_create"), _("Record a defect")
        return None


DEFECTS = DefectList()
