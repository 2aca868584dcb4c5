"""FP-growth: every frequent itemset of the baskets, and the association rules in them.

Han, Pei & Yin (2000), "Mining frequent patterns without candidate generation". The
baskets are read twice: once to count the items, once to insert each basket (its
frequent items, most frequent first) into a prefix tree, the FP-tree, whose shared
prefixes hold counts. Each frequent item, least frequent first, is then mined from its
*conditional pattern base* (the tree's paths above its nodes, with their counts), which
is itself made into a (conditional) FP-tree and mined the same way, the item added to
the suffix. No candidate itemset is generated and the baskets are not scanned again.

An itemset is frequent when ``count / baskets >= min_support`` (the test of
``efficient-apriori``, the reference in tests/analytics/test_fpgrowth.py). A rule
``lhs → rhs`` splits a frequent itemset in two: ``support = n(lhs ∪ rhs) / N``,
``confidence = n(lhs ∪ rhs) / n(lhs)``, ``lift = confidence / (n(rhs) / N)``; the
consequents of one itemset grow one item at a time, and a consequent below the minimum
confidence is not grown (a larger one has a smaller antecedent, so no more confidence).
"""

from collections import Counter
from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

Item = Hashable
Itemset = tuple  # sorted items


class _Node:
    __slots__ = ("children", "count", "item", "parent")

    def __init__(self, item: Item | None, parent: "_Node | None") -> None:
        self.item = item
        self.parent = parent
        self.count = 0
        self.children: dict[Item, _Node] = {}


def _tree(
    paths: Iterable[tuple[Collection[Item], int]], min_count: int
) -> tuple[dict[Item, list[_Node]], dict[Item, int]]:
    """The FP-tree of weighted paths: the nodes of each frequent item (its header
    table's list) and each frequent item's count."""
    paths = list(paths)
    counts: dict[Item, int] = {}
    for items, weight in paths:
        for item in items:
            counts[item] = counts.get(item, 0) + weight
    frequent = {item: count for item, count in counts.items() if count >= min_count}
    # Most frequent first (ties by the item's repr, for a tree that does not depend on
    # the order of the baskets).
    rank = {
        item: position
        for position, item in enumerate(sorted(frequent, key=lambda i: (-frequent[i], repr(i))))
    }
    header: dict[Item, list[_Node]] = {item: [] for item in frequent}
    root = _Node(None, None)
    for items, weight in paths:
        kept = sorted((i for i in items if i in rank), key=rank.__getitem__)
        node = root
        for item in kept:
            child = node.children.get(item)
            if child is None:
                child = node.children[item] = _Node(item, node)
                header[item].append(child)
            child.count += weight
            node = child
    return header, frequent


def _mine(
    header: dict[Item, list[_Node]],
    counts: dict[Item, int],
    suffix: tuple,
    min_count: int,
    max_length: int | None,
    out: dict[Itemset, int],
) -> None:
    for item in sorted(counts, key=lambda i: (counts[i], repr(i))):  # least frequent first
        itemset = (*suffix, item)
        out[tuple(sorted(itemset, key=repr))] = counts[item]
        if max_length is not None and len(itemset) >= max_length:
            continue
        base = []
        for node in header[item]:
            path = []
            parent = node.parent
            while parent is not None and parent.item is not None:
                path.append(parent.item)
                parent = parent.parent
            if path:
                base.append((path, node.count))
        if base:
            sub_header, sub_counts = _tree(base, min_count)
            if sub_counts:
                _mine(sub_header, sub_counts, itemset, min_count, max_length, out)


def itemsets_frequent(
    baskets: Sequence[Iterable[Item]], *, min_support: float, max_length: int | None = None
) -> dict[Itemset, int]:
    """Every frequent itemset (items sorted) → the number of baskets holding it."""
    n = len(baskets)
    if n == 0:
        return {}
    # The smallest count whose share reaches min_support (count / n >= min_support).
    min_count = max(1, int(min_support * n))
    while min_count / n < min_support:
        min_count += 1
    while min_count > 1 and (min_count - 1) / n >= min_support:
        min_count -= 1
    # Identical baskets enter the tree once, with their number as weight.
    same = Counter(frozenset(basket) for basket in baskets)
    header, counts = _tree(same.items(), min_count)
    out: dict[Itemset, int] = {}
    _mine(header, counts, (), min_count, max_length, out)
    return out


@dataclass(frozen=True)
class AssociationRule:
    lhs: Itemset
    rhs: Itemset
    count: int  # baskets holding lhs ∪ rhs
    support: float
    confidence: float
    lift: float


def rules_generate(
    itemsets: dict[Itemset, int], *, baskets: int, min_confidence: float
) -> list[AssociationRule]:
    """The rules of every frequent itemset of two items or more whose confidence
    reaches ``min_confidence``, strongest lift first."""
    rules: list[AssociationRule] = []
    for itemset, both in itemsets.items():
        if len(itemset) < 2:
            continue
        consequents = [(item,) for item in itemset]
        while consequents:
            kept = []
            for rhs in consequents:
                lhs = tuple(i for i in itemset if i not in rhs)
                if not lhs:
                    continue
                confidence = both / itemsets[lhs]
                if confidence < min_confidence:
                    continue
                kept.append(rhs)
                rules.append(
                    AssociationRule(
                        lhs,
                        rhs,
                        both,
                        both / baskets,
                        confidence,
                        confidence / (itemsets[rhs] / baskets),
                    )
                )
            consequents = _grown(kept, itemset)
    rules.sort(key=lambda r: (-r.lift, -r.confidence, repr(r.lhs), repr(r.rhs)))
    return rules


def _grown(consequents: list[Itemset], itemset: Itemset) -> list[Itemset]:
    """Consequents one item larger, each made of kept ones only (every subset one item
    smaller was kept: else its confidence is already too low)."""
    if not consequents or len(consequents[0]) + 1 >= len(itemset):
        return []
    kept = set(consequents)
    size = len(consequents[0]) + 1
    order = {item: position for position, item in enumerate(itemset)}
    grown = set()
    for a, b in combinations(consequents, 2):
        union = tuple(sorted(set(a) | set(b), key=order.__getitem__))
        if len(union) == size and all(sub in kept for sub in combinations(union, size - 1)):
            grown.add(union)
    return sorted(grown, key=lambda rhs: [order[i] for i in rhs])
