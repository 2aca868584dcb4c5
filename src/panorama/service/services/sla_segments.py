"""SLA policies that name a marketing segment: tried before the others, in ``rank``
order (lower first, then id); the first whose segment holds the case's customer wins.
Whether a segment holds a customer is its own SQL restricted to the customers asked
about (``marketing.selectors.segment_members``, as automation conditions ask): one
query per segment for a whole batch of cases, never one per case."""

from collections.abc import Iterable, Sequence

from panorama.marketing.selectors import segment_members

from ..models import Case, SlaPolicy

# Who each marketing segment holds among the customers of a batch: segment id → ids.
Holding = dict[int, set[int]]


def segment_policies(policies: Iterable[SlaPolicy]) -> list[SlaPolicy]:
    """The active policies naming a marketing segment, in the order they are tried."""
    named = [p for p in policies if p.active and p.marketing_segment_id is not None]
    return sorted(named, key=lambda p: (p.rank, p.pk or 0))


def segments_holding(policies: Iterable[SlaPolicy], customer_ids: Iterable[int | None]) -> Holding:
    """For each segment the active ``policies`` name, which of ``customer_ids`` it holds
    now: one query per segment (plus the segment's own read), whatever their number."""
    ids = sorted({pk for pk in customer_ids if pk is not None})
    wanted = {p.marketing_segment_id for p in segment_policies(policies)}
    return {
        segment_id: segment_members(segment_id=segment_id, customer_ids=ids) if ids else set()
        for segment_id in sorted(s for s in wanted if s is not None)
    }


def first_segment_policy(
    case: Case, candidates: Sequence[SlaPolicy], holding: Holding | None = None
) -> SlaPolicy | None:
    """The first of ``candidates`` (segment policies whose other criteria the case
    meets, in order) whose segment holds the case's customer. ``holding``: the batch's
    answers (``segments_holding``); without it each segment is asked about this one
    customer, in order, until one holds him."""
    if not case.customer_id:
        return None
    asked: Holding = dict(holding or {})
    for policy in candidates:
        segment_id = policy.marketing_segment_id
        assert segment_id is not None
        if segment_id not in asked:
            asked[segment_id] = segment_members(
                segment_id=segment_id, customer_ids=[case.customer_id]
            )
        if case.customer_id in asked[segment_id]:
            return policy
    return None
