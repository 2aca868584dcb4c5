"""Reads of products and the reference data that describes them. The catalogue is
company-wide: every signed-in user sees all of it."""

from typing import Any

from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from panorama.core.exceptions import NotFound
from panorama.core.pagination import Keyset, Page

from ..models import Category, Product, Tax, Unit

BY_NAME = Keyset("name", "id", types=(str, int))
PAGE_SIZE = 50


def products() -> QuerySet[Product]:
    return Product.objects.select_related("category", "unit", "tax")


def product_list(
    *,
    search: str = "",
    kind: str = "",
    category_id: int | None = None,
    active: bool | None = None,
    cursor: str = "",
    limit: int = PAGE_SIZE,
) -> Page[Product]:
    """Products by name, filtered, one keyset page (one query)."""
    qs = products_filter(search=search, kind=kind, category_id=category_id, active=active)
    return BY_NAME.page(qs, cursor=cursor, limit=max(1, min(limit, 200)))


def products_filter(
    *,
    search: str = "",
    kind: str = "",
    category_id: int | None = None,
    active: bool | None = None,
) -> QuerySet[Product]:
    """The products matching a name (anywhere) or an SKU (its start), of a kind, in a
    category, active or not; unordered (the API's page and the catalogue's list)."""
    qs = products()
    search = search.strip()
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(sku__istartswith=search))
    if kind:
        qs = qs.filter(kind=kind)
    if category_id is not None:
        qs = qs.filter(category_id=category_id)
    if active is not None:
        qs = qs.filter(active=active)
    return qs


def product_get(*, product_id: int) -> Product:
    product = products().filter(pk=product_id).first()
    if product is None:
        raise NotFound(_("There is no product %(id)s.") % {"id": product_id})
    return product


def categories() -> list[Category]:
    return list(Category.objects.select_related("parent"))


def taxes(*, active_only: bool = False) -> list[Tax]:
    qs = Tax.objects.all()
    return list(qs.filter(active=True) if active_only else qs)


def units() -> list[Unit]:
    return list(Unit.objects.all())


def category_tree() -> list[tuple[Category, int]]:
    """Every category with its depth, each followed by its subcategories, by name."""
    rows = Category.objects.order_by("name", "id")
    children: dict[int | None, list[Category]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    tree: list[tuple[Category, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for node in children.get(parent_id, []):
            tree.append((node, depth))
            walk(node.pk, depth + 1)

    walk(None, 0)
    return tree


def _one(model: type[models.Model], pk: int, message: str) -> Any:
    found = model._default_manager.filter(pk=pk).first()
    if found is None:
        raise NotFound(message % {"id": pk})
    return found


def category_get(*, category_id: int) -> Category:
    return _one(Category, category_id, _("There is no category %(id)s."))


def unit_get(*, unit_id: int) -> Unit:
    return _one(Unit, unit_id, _("There is no unit %(id)s."))


def tax_get(*, tax_id: int) -> Tax:
    return _one(Tax, tax_id, _("There is no tax %(id)s."))
