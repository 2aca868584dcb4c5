"""Our basket rules (Apriori cut at pairs, one sparse product) against a maintained
library's Apriori (``efficient-apriori``, a development dependency) on a seeded set of
baskets: the same frequent pairs, with the same counts, support, confidence and lift."""

import random

import pytest
from efficient_apriori import apriori

from panorama.analytics.mining.basket import Baskets, rules_mine

PRODUCTS = [f"P{n:02d}" for n in range(40)]
# Products bought together more often than chance: (antecedent, consequent, how often).
PLANTED = [("P01", "P02", 0.6), ("P03", "P07", 0.5), ("P10", "P11", 0.7), ("P02", "P20", 0.3)]


def seeded_baskets(seed: int = 13, n: int = 1999) -> list[list[str]]:
    rng = random.Random(seed)
    weights = [1 / (rank + 1) for rank in range(len(PRODUCTS))]  # a few best sellers
    baskets = []
    for _ in range(n):
        items = set(rng.choices(PRODUCTS, weights, k=rng.randint(1, 5)))
        for a, b, p in PLANTED:
            if a in items and rng.random() < p:
                items.add(b)
        baskets.append(sorted(items))
    return baskets


@pytest.mark.parametrize(("min_support", "min_confidence"), [(0.01, 0.1), (0.03, 0.25)])
def test_our_rules_are_the_reference_aprioris_pair_rules(min_support, min_confidence):
    baskets = seeded_baskets()
    ours = rules_mine(
        Baskets(list(range(len(baskets))), baskets),
        min_support=min_support,
        min_confidence=min_confidence,
    )
    itemsets, reference = apriori(
        [tuple(b) for b in baskets],
        min_support=min_support,
        min_confidence=min_confidence,
        max_length=2,
    )
    theirs = {
        (r.lhs[0], r.rhs[0]): (r.count_full, r.support, r.confidence, r.lift) for r in reference
    }
    mine = {(r.antecedent, r.consequent): (r.count, r.support, r.confidence, r.lift) for r in ours}
    assert len(mine) > 20 and set(mine) == set(theirs)
    for pair, (count, support, confidence, lift) in mine.items():
        assert count == theirs[pair][0], pair
        assert theirs[pair][1:] == pytest.approx((support, confidence, lift), rel=1e-9), pair
    # The frequent pairs themselves, both directions of each rule.
    frequent = {pair for pair, count in itemsets.get(2, {}).items()}
    assert {tuple(sorted(pair)) for pair in mine} <= frequent
    # The planted associations are found, and the strongest by lift comes first.
    assert ("P10", "P11") in mine and ("P01", "P02") in mine
    assert ours[0].lift == max(lift for *_, lift in mine.values())
