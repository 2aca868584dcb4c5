"""Deleting a product, and putting a deleted one back (the bulk action's undo).

A product with a history is never deleted: quotes, orders and opportunities priced it,
price lists, promotions, bundles or loyalty rules name it, customers hold it, service
keeps assets, cases, parts and contracts of it, stock moved for it. Deleting it would
rewrite that history (lines and contracts point at it) or silently drop the rows that
name it, so the delete is refused naming what uses it, and the answer is to archive it
(``active`` off: out of new quotes and orders, its history intact). A delete is for a
product entered by mistake: it goes with its own configuration (option groups, options,
rules) and its opening stock, all kept in a snapshot that ``product_restore`` puts back.

Any relation to ``Product`` not listed in ``_OWN`` counts as a use, so a model added
later keeps its products from deletion without a change here.
"""

from collections.abc import Iterable
from typing import Any

from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Count, ProtectedError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit, emit_many
from panorama.core.exceptions import Conflict

from ..models import OptionGroup, OptionRule, Product, ProductOption, StockMovement

# The product's own rows: deleted with it and kept in its snapshot (its opening stock
# too: a stock movement of any other kind is a use, see ``products_in_use``).
_OWN = {("catalog.OptionGroup", "product"), ("catalog.ProductOption", "product")}
_OWN |= {("catalog.OptionRule", "product")}

# What a use is called, counted by the record that holds it (a quote, not its lines).
_USES: dict[tuple[str, str], tuple[str, Any]] = {
    ("sales.QuoteLine", "product"): ("quote", ngettext_lazy("%(n)s quote", "%(n)s quotes", "n")),
    ("sales.OrderLine", "product"): ("order", ngettext_lazy("%(n)s order", "%(n)s orders", "n")),
    ("sales.OpportunityProduct", "product"): (
        "opportunity",
        ngettext_lazy("%(n)s opportunity", "%(n)s opportunities", "n"),
    ),
    ("catalog.PriceListItem", "product"): (
        "price_list",
        ngettext_lazy("%(n)s price list", "%(n)s price lists", "n"),
    ),
    ("catalog.ProductOption", "component"): (
        "product",
        ngettext_lazy("%(n)s bundle (as a component)", "%(n)s bundles (as a component)", "n"),
    ),
    ("catalog.Promotion", "products"): (
        "pk",
        ngettext_lazy("%(n)s promotion", "%(n)s promotions", "n"),
    ),
    ("sales.Script", "product"): (
        "pk",
        ngettext_lazy("%(n)s sales script", "%(n)s sales scripts", "n"),
    ),
    ("catalog.StockMovement", "product"): (
        "pk",
        ngettext_lazy("%(n)s stock movement", "%(n)s stock movements", "n"),
    ),
    ("service.Asset", "product"): ("pk", ngettext_lazy("%(n)s asset", "%(n)s assets", "n")),
    ("service.Case", "product"): ("pk", ngettext_lazy("%(n)s case", "%(n)s cases", "n")),
    ("service.Defect", "product"): ("pk", ngettext_lazy("%(n)s defect", "%(n)s defects", "n")),
    ("service.Part", "product"): (
        "pk",
        ngettext_lazy("%(n)s part used in service", "%(n)s parts used in service", "n"),
    ),
    ("service.ServiceContract", "products"): (
        "pk",
        ngettext_lazy("%(n)s service contract", "%(n)s service contracts", "n"),
    ),
    ("marketing.Segment", "offers"): (
        "pk",
        ngettext_lazy("%(n)s segment's offers", "%(n)s segments' offers", "n"),
    ),
    ("loyalty.EarningRule", "product"): (
        "pk",
        ngettext_lazy("%(n)s loyalty earning rule", "%(n)s loyalty earning rules", "n"),
    ),
}
_HELD = ngettext_lazy("%(n)s customer holding", "%(n)s customer holdings", "n")


def _relations() -> Iterable[tuple[Any, str, str, Any]]:
    """(model, product field, counted field, words) for every relation that is a use."""
    # Hidden ones too: quote and order lines point at products with no way back ("+").
    reverse: list[Any] = [
        f
        for f in Product._meta.get_fields(include_hidden=True)
        if f.is_relation and f.auto_created and not f.concrete
    ]
    for rel in reverse:
        key = (rel.related_model._meta.label, rel.field.name)
        if key in _OWN:
            continue
        counted, words = _USES.get(key, ("pk", None))
        if rel.many_to_many:
            through = rel.through
            yield through, rel.field.m2m_reverse_field_name(), rel.field.m2m_field_name(), words
            continue
        if words is None:  # a relation added later: named by its model
            words = "%(n)s " + str(rel.related_model._meta.verbose_name_plural)
        yield rel.related_model, rel.field.name, counted, words


def _said(words: Any, n: int) -> str:
    return str(words % {"n": n})


def products_in_use(products: list[Product]) -> dict[int, str]:
    """For each product something uses, why it cannot be deleted (what uses it, counted):
    one query per kind of use whatever the number of products."""
    pks = [p.pk for p in products]
    uses: dict[int, list[str]] = {}
    for model, field, counted, words in _relations():
        rows = model._default_manager.filter(**{f"{field}__in": pks})
        if model is StockMovement:  # its opening stock is the product's own
            rows = rows.exclude(kind=StockMovement.Kind.OPENING)
        found = rows.values(field).annotate(n=Count(counted, distinct=True)).order_by()
        for row in found:
            uses.setdefault(row[field], []).append(_said(words, row["n"]))
    from panorama.customers.models import Holding  # customers sit above the catalogue

    by_sku = {p.sku: p.pk for p in products}
    held = (
        Holding.objects.filter(product_code__in=list(by_sku))
        .values("product_code")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in held:
        uses.setdefault(by_sku[row["product_code"]], []).append(_said(_HELD, row["n"]))
    return {
        pk: _("Used by %(uses)s: it cannot be deleted. Archive it instead to stop selling it.")
        % {"uses": ", ".join(said)}
        for pk, said in uses.items()
    }


def _snapshots(products: list[Product]) -> dict[int, list[dict[str, Any]]]:
    """Each product and its own rows as serialized objects (what ``product_restore``
    saves back), in the order they are saved: one query per model."""
    pks = [p.pk for p in products]
    kept: dict[int, list[Any]] = {p.pk: [p] for p in products}
    own: list[Any] = [
        OptionGroup.objects.filter(product_id__in=pks).order_by("pk"),
        ProductOption.objects.filter(product_id__in=pks).order_by("pk"),
        OptionRule.objects.filter(product_id__in=pks).order_by("pk"),
        StockMovement.objects.filter(product_id__in=pks, kind=StockMovement.Kind.OPENING),
    ]
    for rows in own:
        for row in rows:
            kept[row.product_id].append(row)
    return {pk: serializers.serialize("python", rows) for pk, rows in kept.items()}


@transaction.atomic
def products_delete(
    *, by: User | None, products: list[Product]
) -> tuple[dict[int, str], dict[int, Any]]:
    """Delete the products nothing uses, in one write, and refuse each one in use with
    what uses it. Returns (refused: {id: reason}, deleted: {id: snapshot}), the snapshot
    being what ``product_restore`` takes to put it back. ``catalog.manage``; emits
    ``product.deleted`` for each."""
    ensure_can(by, "catalog.manage")
    pks = [p.pk for p in products]
    # Locked, as they are now: a use added meanwhile waits for this to finish.
    current = list(Product.objects.select_for_update().filter(pk__in=pks).order_by("pk"))
    refused = products_in_use(current)
    found = {p.pk for p in current}
    for pk in pks:
        if pk not in found:
            refused[pk] = _("Deleted since: nothing to delete.")
    going = [p for p in current if p.pk not in refused]
    snapshots = _snapshots(going)
    if going:
        ids = [p.pk for p in going]
        try:
            with transaction.atomic():
                Product.objects.filter(pk__in=ids).delete()
        except ProtectedError:
            # A use written by another process between the check and the delete.
            raise Conflict(
                _("Something still uses it: it cannot be deleted. Archive it instead."),
                field="product",
            ) from None
        who = by.pk if by else None
        emit_many(
            "product.deleted",
            [{"product_id": p.pk, "sku": p.sku, "by": who} for p in going],
        )
    return refused, {pk: _jsonable(rows) for pk, rows in snapshots.items()}


def _jsonable(rows: list[dict[str, Any]]) -> Any:
    import json

    return json.loads(json.dumps(rows, cls=DjangoJSONEncoder))


def product_delete(*, by: User | None, product: Product) -> None:
    """Delete one product nothing uses (``products_delete``): one in use is refused with
    a 409 naming what uses it."""
    refused, _kept = products_delete(by=by, products=[product])
    if product.pk in refused:
        raise Conflict(refused[product.pk], field="product")


@transaction.atomic
def product_restore(*, by: User | None, snapshot: list[dict[str, Any]]) -> Product:
    """Put a deleted product back as it was, with its own configuration and opening
    stock, under its id (``products_delete``'s snapshot). Refused when a product with its
    id or SKU exists again, or when a component it names was deleted since."""
    ensure_can(by, "catalog.manage")
    objects = list(serializers.deserialize("python", snapshot))
    product = objects[0].object
    if not isinstance(product, Product):
        raise Conflict(_("This is not a deleted product."), field="product")
    if Product.objects.filter(pk=product.pk).exists():
        raise Conflict(_("It is in the catalogue again: left as it is."), field="product")
    taken = Product.objects.filter(sku__iexact=product.sku).first()
    if taken is not None:
        raise Conflict(
            _("Another product has its SKU %(sku)s since: not put back.") % {"sku": product.sku},
            field="sku",
        )
    components = {
        o.object.component_id
        for o in objects
        if isinstance(o.object, ProductOption) and o.object.component_id
    }
    present = set(Product.objects.filter(pk__in=components).values_list("pk", flat=True))
    if components - present:
        raise Conflict(_("A product it bundles was deleted since: not put back."), field="product")
    try:
        with transaction.atomic():
            for obj in objects:
                obj.save()
    except IntegrityError:
        raise Conflict(_("It could not be put back as it was."), field="product") from None
    emit("product.restored", product_id=product.pk, sku=product.sku, by=by.pk if by else None)
    return product
