"""Finding likely duplicate customers, and dismissing the pairs that are not.

The scan never compares all pairs: it only compares customers that already share
something cheap to group by (an identifier, a name and birth date, a postal code and
the start of the last name, a group), so it stays fast on hundreds of thousands of
customers. Merging (and undoing a merge) lives in ``merge.py``; both are exported here.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import combinations
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rapidfuzz import fuzz, process

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import Conflict, NotFound
from panorama.customers.models import (
    Address,
    Customer,
    DuplicateCandidate,
    GroupMembership,
    Identity,
)
from panorama.customers.selectors import scope_filter

from .merge import customer_merge, customer_merge_undo

__all__ = [
    "customer_merge",
    "customer_merge_undo",
    "duplicate_dismiss",
    "duplicates_scan",
    "duplicates_scan_request",
    "reason_text",
]

logger = logging.getLogger(__name__)

# A value shared by more customers than this (a company switchboard, info@ of a shop)
# says nothing about who is who: such values are not used to pair customers.
COMMON_VALUE_LIMIT = 20
NAME_SIMILARITY = 90  # rapidfuzz token_sort_ratio, 0-100
BLOCK_MAX = 2000  # larger blocks are skipped (logged): they would not be a block any more
CHUNK = 500  # ids per IN (...) list, under every database's parameter limit
# An incremental scan for more customers than this runs as a full scan instead.
INCREMENTAL_MAX = 5000

IDENTITY_KINDS: dict[str, str] = {
    Identity.Kind.NATIONAL_ID: "same_national_id",
    Identity.Kind.EMAIL: "same_email",
    Identity.Kind.PHONE: "same_phone",
    Identity.Kind.LOYALTY_CARD: "same_loyalty_card",
    Identity.Kind.EXTERNAL: "same_external_id",
}

# code -> (weight in the score, text shown to people with the reason's detail)
REASONS: dict[str, tuple[float, Any]] = {
    "same_national_id": (0.95, gettext_lazy("Same national ID: %(detail)s")),
    "same_external_id": (0.9, gettext_lazy("Same external (ERP) ID: %(detail)s")),
    "same_loyalty_card": (0.8, gettext_lazy("Same loyalty card: %(detail)s")),
    "same_email": (0.6, gettext_lazy("Same e-mail: %(detail)s")),
    "same_phone": (0.5, gettext_lazy("Same phone: %(detail)s")),
    "same_name_birth_date": (0.85, gettext_lazy("Same name and birth date: %(detail)s")),
    "similar_name_postcode": (
        0.5,
        gettext_lazy("Similar name at the same postal code: %(detail)s"),
    ),
    "similar_name_group": (0.4, gettext_lazy("Similar name in the same group: %(detail)s")),
    "similar_name": (0.3, gettext_lazy("Similar name: %(detail)s")),
    "common_identifier": (
        0.0,
        gettext_lazy("Both use %(detail)s, shared by too many customers to count"),
    ),
}

Pair = tuple[int, int]


def reason_text(reason: dict[str, Any]) -> str:
    """The reason in the reader's language (reasons are stored as codes)."""
    entry = REASONS.get(reason.get("code", ""))
    if entry is None:
        return str(reason.get("detail") or reason.get("code", ""))
    return str(entry[1]) % {"detail": reason.get("detail", "")}


def score_of(reasons: list[dict[str, Any]]) -> float:
    """Independent evidence: 1 - Π(1 - weight), each kind of reason counted once."""
    remaining = 1.0
    for code in {r["code"] for r in reasons}:
        remaining *= 1.0 - REASONS.get(code, (0.0, ""))[0]
    return round(1.0 - remaining, 3)


def _chunks(items: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _Found:
    """Pairs found so far and their reasons (each reason once)."""

    def __init__(self, targets: set[int] | None):
        self.targets = targets
        self.reasons: dict[Pair, list[dict[str, Any]]] = defaultdict(list)

    def add(self, a: int, b: int, code: str, detail: str) -> None:
        if a == b:
            return
        if self.targets is not None and a not in self.targets and b not in self.targets:
            return
        pair = (a, b) if a < b else (b, a)
        reason = {"code": code, "detail": detail}
        if reason not in self.reasons[pair]:
            self.reasons[pair].append(reason)

    def add_group(self, customer_ids: Iterable[int], code: str, detail: str) -> None:
        for a, b in combinations(sorted(set(customer_ids)), 2):
            self.add(a, b, code, detail)


def _by_identifier(found: _Found, targets: set[int] | None) -> list[tuple[str, str, int]]:
    """Pairs sharing an identifier; returns the too-common (kind, value, count) skipped."""
    kinds = list(IDENTITY_KINDS)
    common: list[tuple[str, str, int]] = []
    wanted: set[tuple[str, str]] | None = None
    if targets is None:
        # One GROUP BY finds every value held by several live customers.
        groups = (
            Identity.objects.filter(kind__in=kinds, customer__merged_into__isnull=True)
            .values("kind", "value")
            .annotate(customers=Count("customer_id", distinct=True))
            .filter(customers__gt=1)
            .order_by()
        )
        wanted = set()
        for row in groups:
            key = (row["kind"], row["value"])
            if row["customers"] > COMMON_VALUE_LIMIT:
                common.append((*key, row["customers"]))
            else:
                wanted.add(key)
        values = {value for _kind, value in wanted}
    else:
        # Only the values the given customers hold, looked up by index and counted here.
        values = set()
        for chunk in _chunks(targets):
            rows = Identity.objects.filter(customer_id__in=chunk, kind__in=kinds)
            values.update(rows.values_list("value", flat=True))
    members: dict[tuple[str, str], set[int]] = defaultdict(set)
    for chunk in _chunks(values):
        # No join here: with one, SQLite walks every live customer instead of the
        # (value, kind) index. Merged customers are dropped just below.
        rows = Identity.objects.filter(value__in=chunk, kind__in=kinds)
        for kind, value, customer_id in rows.values_list("kind", "value", "customer_id"):
            if wanted is None or (kind, value) in wanted:
                members[(kind, value)].add(customer_id)
    live = _live({c for customer_ids in members.values() for c in customer_ids})
    for (kind, value), customer_ids in members.items():
        customer_ids &= live
        if wanted is None and len(customer_ids) > COMMON_VALUE_LIMIT:
            common.append((kind, value, len(customer_ids)))
        else:
            found.add_group(customer_ids, IDENTITY_KINDS[kind], value)
    return common


def _live(customer_ids: set[int]) -> set[int]:
    """Those of ``customer_ids`` that were not merged into another customer."""
    live: set[int] = set()
    for chunk in _chunks(customer_ids):
        live.update(
            Customer.objects.filter(pk__in=chunk, merged_into__isnull=True).values_list(
                "pk", flat=True
            )
        )
    return live


def _by_name_and_birth_date(found: _Found, targets: set[int] | None) -> None:
    people = Customer.objects.filter(merged_into__isnull=True, birth_date__isnull=False).exclude(
        search_name=""
    )
    if targets is not None:
        people = people.filter(
            search_name__in=Customer.objects.filter(pk__in=targets).values("search_name")
        )
    keys = (
        people.values("search_name", "birth_date")
        .annotate(n=Count("id"))
        .filter(n__gt=1, n__lte=COMMON_VALUE_LIMIT)
        .order_by()
    )
    wanted = {(row["search_name"], row["birth_date"]) for row in keys}
    members: dict[tuple[str, Any], list[int]] = defaultdict(list)
    for names in _chunks({name for name, _date in wanted}):
        rows = people.filter(search_name__in=names).values_list("search_name", "birth_date", "id")
        for name, birth_date, customer_id in rows:
            if (name, birth_date) in wanted:
                members[(name, birth_date)].append(customer_id)
    for (name, birth_date), customer_ids in members.items():
        found.add_group(customer_ids, "same_name_birth_date", f"{name}, {birth_date.isoformat()}")


def _similar_in_block(found: _Found, block: dict[int, str], code: str, where: str) -> None:
    if len(block) < 2:
        return
    if len(block) > BLOCK_MAX:
        logger.warning("duplicate scan: block %s of %s customers skipped", where, len(block))
        return
    ids = list(block)
    names = [block[i] for i in ids]
    for index, customer_id in enumerate(ids[:-1]):
        if found.targets is not None and customer_id not in found.targets:
            rest = [j for j in range(index + 1, len(ids)) if ids[j] in found.targets]
        else:
            rest = list(range(index + 1, len(ids)))
        if not rest:
            continue
        matches = process.extract(
            names[index],
            [names[j] for j in rest],
            scorer=fuzz.token_sort_ratio,
            score_cutoff=NAME_SIMILARITY,
            limit=None,
        )
        for _name, ratio, position in matches:
            found.add(customer_id, ids[rest[position]], code, f"{round(ratio)}% · {where}")


def _by_similar_name(found: _Found, targets: set[int] | None) -> None:
    """Fuzzy names, compared only inside blocks: same postal code and first three letters
    of the last name (of the name for organisations), or the same group."""
    addresses = Address.objects.filter(customer__merged_into__isnull=True).exclude(postal_code="")
    if targets is not None:
        addresses = addresses.filter(
            postal_code__in=Address.objects.filter(customer_id__in=targets).values("postal_code")
        )
    blocks: dict[tuple[str, str], dict[int, str]] = defaultdict(dict)
    rows = addresses.values_list(
        "customer_id", "postal_code", "customer__search_name", "customer__search_last"
    ).order_by()
    for customer_id, postal_code, search_name, search_last in rows.iterator(chunk_size=5000):
        postal = "".join(postal_code.split()).upper()
        blocks[(postal, (search_last or search_name)[:3])][customer_id] = search_name
    for (postal, _prefix), block in blocks.items():
        _similar_in_block(found, block, "similar_name_postcode", postal)

    memberships = GroupMembership.objects.filter(customer__merged_into__isnull=True)
    if targets is not None:
        memberships = memberships.filter(
            group_id__in=GroupMembership.objects.filter(customer_id__in=targets).values("group_id")
        )
    groups: dict[tuple[int, str], dict[int, str]] = defaultdict(dict)
    members = memberships.values_list(
        "group_id", "group__name", "customer_id", "customer__search_name"
    )
    for group_id, group_name, member_id, member_name in members.order_by().iterator(
        chunk_size=5000
    ):
        groups[(group_id, group_name)][member_id] = member_name
    for (_group_id, group_name), block in groups.items():
        _similar_in_block(found, block, "similar_name_group", group_name)


def _annotate(found: _Found, common: list[tuple[str, str, int]]) -> None:
    """Add what is cheap to know once the pairs are few: a similar name for pairs found
    by an identifier, and the too-common values the two also share (for the reviewer)."""
    customer_ids = {c for pair in found.reasons for c in pair}
    names: dict[int, str] = {}
    for chunk in _chunks(customer_ids):
        names.update(Customer.objects.filter(pk__in=chunk).values_list("pk", "search_name"))
    for (a, b), reasons in found.reasons.items():
        if any(r["code"].startswith("similar_name") for r in reasons):
            continue
        ratio = fuzz.token_sort_ratio(names.get(a, ""), names.get(b, ""))
        if ratio >= NAME_SIMILARITY:
            reasons.append({"code": "similar_name", "detail": f"{round(ratio)}%"})
    if not common or not customer_ids:
        return
    counts = {(kind, value): n for kind, value, n in common}
    holders: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for values in _chunks({v for _k, v in counts}):
        for chunk in _chunks(customer_ids):
            rows = Identity.objects.filter(customer_id__in=chunk, value__in=values)
            for customer_id, kind, value in rows.values_list("customer_id", "kind", "value"):
                if (kind, value) in counts:
                    holders[customer_id].add((kind, value))
    for (a, b), reasons in found.reasons.items():
        for kind, value in sorted(holders[a] & holders[b]):
            n = counts[(kind, value)]
            reasons.append({"code": "common_identifier", "detail": f"{value} ({n})"})


def duplicates_scan(*, customer_ids: list[int] | None = None) -> int:
    """Find likely duplicates among the customers not merged; returns the open candidates.

    With ``customer_ids`` (after an import, say) only pairs involving those customers are
    looked for. Pairs someone marked "not a duplicate" stay dismissed.
    """
    targets = set(customer_ids) if customer_ids is not None else None
    if targets is not None and len(targets) > INCREMENTAL_MAX:
        targets = None
    if targets is not None and not targets:
        return DuplicateCandidate.objects.filter(status=DuplicateCandidate.Status.OPEN).count()
    found = _Found(targets)
    common = _by_identifier(found, targets)
    _by_name_and_birth_date(found, targets)
    _by_similar_name(found, targets)
    _annotate(found, common)
    pairs = {pair: reasons for pair, reasons in found.reasons.items() if score_of(reasons) > 0}
    _store(pairs, targets)
    open_pairs = DuplicateCandidate.objects.filter(status=DuplicateCandidate.Status.OPEN).count()
    emit(
        "duplicate.scan_finished",
        customer_ids=sorted(targets) if targets is not None else None,
        open=open_pairs,
    )
    return open_pairs


def duplicates_scan_request(*, by: User | None) -> Any:
    """Queue a scan of every customer (it reads them all: a data steward's job); returns
    the task's result handle (its id and status)."""
    from ..tasks import scan_duplicates

    ensure_can(by, "customers.scan")
    return scan_duplicates.enqueue()


@transaction.atomic
def _store(pairs: dict[Pair, list[dict[str, Any]]], targets: set[int] | None) -> None:
    existing: dict[Pair, DuplicateCandidate] = {}
    for chunk in _chunks({a for a, _b in pairs}):
        for candidate in DuplicateCandidate.objects.filter(customer_a_id__in=chunk):
            existing[(candidate.customer_a_id, candidate.customer_b_id)] = candidate
    new: list[DuplicateCandidate] = []
    changed: list[DuplicateCandidate] = []
    for (a, b), reasons in pairs.items():
        score = score_of(reasons)
        known = existing.get((a, b))
        if known is None:
            new.append(
                DuplicateCandidate(customer_a_id=a, customer_b_id=b, score=score, reasons=reasons)
            )
        elif known.status == DuplicateCandidate.Status.OPEN and (
            known.score != score or known.reasons != reasons
        ):
            known.score, known.reasons = score, reasons
            changed.append(known)
    DuplicateCandidate.objects.bulk_create(new, batch_size=CHUNK, ignore_conflicts=True)
    DuplicateCandidate.objects.bulk_update(changed, ["score", "reasons"], batch_size=CHUNK)

    # Open pairs of live customers in this scan's reach that it no longer finds (an
    # identity was corrected, say) are dropped.
    stale = DuplicateCandidate.objects.filter(
        status=DuplicateCandidate.Status.OPEN,
        customer_a__merged_into__isnull=True,
        customer_b__merged_into__isnull=True,
    )
    if targets is not None:
        stale = stale.filter(Q(customer_a_id__in=targets) | Q(customer_b_id__in=targets))
    gone = [
        pk
        for pk, a, b in stale.values_list("pk", "customer_a_id", "customer_b_id")
        if (a, b) not in pairs
    ]
    for chunk in _chunks(gone):
        DuplicateCandidate.objects.filter(pk__in=chunk).delete()


@transaction.atomic
def duplicate_dismiss(*, candidate: DuplicateCandidate, by: User | None) -> DuplicateCandidate:
    """Mark a pair as "not a duplicate": later scans leave it alone. It hides the pair
    from everyone, so it needs the merge permission (``customers.dismiss``)."""
    ensure_can(by, "customers.dismiss")
    candidate = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
    if by is not None:
        visible = Customer.objects.filter(scope_filter(by)).filter(
            pk__in=[candidate.customer_a_id, candidate.customer_b_id]
        )
        if visible.count() != 2:
            raise NotFound(
                _("Possible duplicate %(id)s does not exist or is not visible to you.")
                % {"id": candidate.pk}
            )
    if candidate.status == DuplicateCandidate.Status.MERGED:
        raise Conflict(_("These customers were already merged: undo the merge instead."))
    if candidate.status != DuplicateCandidate.Status.DISMISSED:
        candidate.status = DuplicateCandidate.Status.DISMISSED
        candidate.save(update_fields=["status"])
        emit(
            "duplicate.dismissed",
            candidate_id=candidate.pk,
            by=by.pk if by else None,
            customer_ids=[candidate.customer_a_id, candidate.customer_b_id],
        )
    return candidate
