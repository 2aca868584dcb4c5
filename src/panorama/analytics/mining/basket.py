"""Basket analysis: association rules between products, and a next best offer each.

Baskets are orders: the lines of each imported purchase (by product name) and of each
confirmed CRM sales order (by SKU). Rules have one product on each side (``A → B``),
counted on a sparse baskets × products matrix: ``support(A→B) = n(A∧B)/N``,
``confidence = n(A∧B)/n(A)``, ``lift = confidence / support(B)``. This is Apriori cut at
pairs (items below the minimum support are dropped before pairs are counted), in one
sparse product ``XᵀX``; the test checks every figure against a plain count.

Next best offer for a customer: among the rules whose antecedent he bought and whose
consequent he neither bought nor holds (his holdings), and that is not a catalogue
product switched off, nor one kept to marketing segments he is not in (a segment's
offers), the one with the highest confidence (then lift).
"""

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from ..models import PurchaseLine


@dataclass
class Baskets:
    customer: list[int]  # per basket
    items: list[list[str]]  # distinct products per basket


def baskets_load() -> Baskets:
    lines: dict[int, tuple[int, set[str]]] = {}
    for purchase_id, customer_id, product in PurchaseLine.objects.exclude(product="").values_list(
        "purchase_id", "purchase__customer_id", "product"
    ):
        lines.setdefault(purchase_id, (customer_id, set()))[1].add(product)
    baskets = Baskets([], [])
    for customer_id, products in lines.values():
        baskets.customer.append(customer_id)
        baskets.items.append(sorted(products))
    from panorama.sales.models import Order, OrderLine

    done = [Order.Status.CONFIRMED, Order.Status.SHIPPED, Order.Status.DELIVERED]
    orders: dict[int, tuple[int, set[str]]] = {}
    for order_id, customer_id, sku in OrderLine.objects.filter(order__status__in=done).values_list(
        "order_id", "order__customer_id", "sku"
    ):
        if sku:
            orders.setdefault(order_id, (customer_id, set()))[1].add(sku)
    for customer_id, products in orders.values():
        baskets.customer.append(customer_id)
        baskets.items.append(sorted(products))
    return baskets


@dataclass
class Rule:
    antecedent: str
    consequent: str
    support: float
    confidence: float
    lift: float
    count: int

    def as_dict(self) -> dict:
        return {
            "antecedent": self.antecedent,
            "consequent": self.consequent,
            "support": round(self.support, 4),
            "confidence": round(self.confidence, 4),
            "lift": round(self.lift, 4),
            "baskets": self.count,
        }


def rules_mine(baskets: Baskets, *, min_support: float, min_confidence: float) -> list[Rule]:
    n = len(baskets.items)
    if n == 0:
        return []
    names = sorted({item for items in baskets.items for item in items})
    index = {name: i for i, name in enumerate(names)}
    rows = np.repeat(np.arange(n), [len(items) for items in baskets.items])
    cols = np.fromiter((index[i] for items in baskets.items for i in items), np.int64)
    matrix = sparse.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(n, len(names)))
    counts = np.asarray(matrix.sum(axis=0)).ravel()
    frequent = np.flatnonzero(counts / n >= min_support)
    if len(frequent) < 2:
        return []
    sub = matrix[:, frequent]
    together = (sub.T @ sub).tocoo()
    rules = []
    for a, b, both in zip(together.row, together.col, together.data, strict=True):
        if a == b or both / n < min_support:
            continue
        count_a, count_b = counts[frequent[a]], counts[frequent[b]]
        confidence = both / count_a
        if confidence < min_confidence:
            continue
        rules.append(
            Rule(
                names[frequent[a]],
                names[frequent[b]],
                both / n,
                confidence,
                confidence / (count_b / n),
                int(both),
            )
        )
    rules.sort(key=lambda r: (-r.lift, -r.confidence, r.antecedent, r.consequent))
    return rules


def offers_choose(
    baskets: Baskets,
    rules: list[Rule],
    *,
    held: dict[int, set[str]] | None = None,
    ineligible: set[str] | None = None,
    restricted: dict[str, set[int]] | None = None,
) -> dict[int, dict]:
    """customer id → {"product", "because", "confidence", "lift"}. ``restricted``: a
    product kept to some customers (those of the marketing segments that offer it) →
    those customers; it is offered to nobody else."""
    bought: dict[int, set[str]] = defaultdict(set)
    for customer, items in zip(baskets.customer, baskets.items, strict=True):
        bought[customer].update(items)
    by_antecedent: dict[str, list[Rule]] = defaultdict(list)
    for rule in rules:
        by_antecedent[rule.antecedent].append(rule)
    held = held or {}
    ineligible = ineligible or set()
    offers = {}
    for customer, products in bought.items():
        owned = products | held.get(customer, set())
        best: dict[str, tuple[float, float, list[str]]] = {}
        for product in products:
            for rule in by_antecedent.get(product, ()):
                target = rule.consequent
                if target in owned or target in ineligible:
                    continue
                if restricted and target in restricted and customer not in restricted[target]:
                    continue
                current = best.get(target)
                if current is None or (rule.confidence, rule.lift) > current[:2]:
                    best[target] = (rule.confidence, rule.lift, [product])
        if best:
            target, (confidence, lift, because) = max(
                best.items(), key=lambda kv: (kv[1][0], kv[1][1], kv[0])
            )
            offers[customer] = {
                "product": target,
                "because": because,
                "confidence": round(confidence, 4),
                "lift": round(lift, 4),
            }
    return offers
