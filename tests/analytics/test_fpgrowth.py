"""FP-growth against the reference Apriori (``efficient-apriori``, a development
dependency) on seeded baskets: the same frequent itemsets of every length with the same
counts, and the same rules with the same support, confidence and lift."""

import pytest
from efficient_apriori import apriori

from panorama.analytics.mining.fpgrowth import itemsets_frequent, rules_generate

from .test_basket_reference import seeded_baskets


def _reference(baskets, min_support, min_confidence, max_length):
    itemsets, rules = apriori(
        [tuple(b) for b in baskets],
        min_support=min_support,
        min_confidence=min_confidence,
        max_length=max_length,
    )
    counts = {tuple(sorted(k)): v for level in itemsets.values() for k, v in level.items()}
    figures = {}
    for r in rules:
        figures[tuple(sorted(r.lhs)), tuple(sorted(r.rhs))] = (
            r.count_full,
            r.support,
            r.confidence,
            r.lift,
        )
    return counts, figures


@pytest.mark.parametrize(
    ("min_support", "min_confidence", "max_length"),
    [(0.01, 0.1, 8), (0.03, 0.25, 8), (0.005, 0.3, 2)],
)
def test_the_same_itemsets_and_rules_as_apriori(min_support, min_confidence, max_length):
    baskets = seeded_baskets()
    counts, reference = _reference(baskets, min_support, min_confidence, max_length)
    ours = itemsets_frequent(baskets, min_support=min_support, max_length=max_length)
    assert ours == counts
    assert max(len(itemset) for itemset in ours) >= 3 or max_length == 2
    rules = rules_generate(ours, baskets=len(baskets), min_confidence=min_confidence)
    mine = {(r.lhs, r.rhs): (r.count, r.support, r.confidence, r.lift) for r in rules}
    assert len(mine) > 20 and set(mine) == set(reference)
    for key, (count, support, confidence, lift) in mine.items():
        assert count == reference[key][0], key
        assert reference[key][1:] == pytest.approx((support, confidence, lift), rel=1e-9), key
    # Rules with two products on one side are found, and the strongest lift comes first.
    assert any(len(lhs) == 2 for lhs, _ in mine) or max_length == 2
    assert rules[0].lift == max(lift for *_, lift in mine.values())


def test_no_baskets_no_itemsets():
    assert itemsets_frequent([], min_support=0.1) == {}
    assert rules_generate({}, baskets=0, min_confidence=0.1) == []


def test_an_itemset_exactly_at_the_minimum_support_is_frequent():
    baskets = [["a", "b"], ["a", "b"], ["a"], ["c"]]
    assert itemsets_frequent(baskets, min_support=0.5) == {("a",): 3, ("a", "b"): 2, ("b",): 2}
