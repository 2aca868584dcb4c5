"""Reads of possible duplicates and merges, scoped to what the user may see.

A pair is shown only when the user sees both customers: nobody learns, through a
duplicate list, of a customer outside his book of business.
"""

from collections import defaultdict

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.core.exceptions import NotFound, ValidationFailed
from panorama.core.pagination import Keyset, Page
from panorama.customers.models import Address, Identity
from panorama.customers.selectors import PAGE_SIZE, scope_filter

from .models import CustomerMerge, DuplicateCandidate


def _candidates_visible_to(user: User) -> QuerySet[DuplicateCandidate]:
    return (
        DuplicateCandidate.objects.filter(scope_filter(user, "customer_a__"))
        .filter(scope_filter(user, "customer_b__"))
        .select_related("customer_a", "customer_b")
    )


BY_SCORE = Keyset("-score", "id", types=((int, float), int))
DuplicatePage = Page[DuplicateCandidate]


def duplicate_candidates(
    *,
    user: User,
    status: str = DuplicateCandidate.Status.OPEN,
    cursor: str = "",
    limit: int = PAGE_SIZE,
    with_details: bool = False,
) -> DuplicatePage:
    """Pairs by decreasing score, keyset-paginated: one query (three with details:
    the identities and addresses of every customer on the page)."""
    if status not in DuplicateCandidate.Status.values:
        raise ValidationFailed(_("Unknown status %(v)s.") % {"v": status}, field="status")
    limit = max(1, min(limit, 200))
    qs = _candidates_visible_to(user).filter(status=status)
    if status == DuplicateCandidate.Status.OPEN:
        # A pair whose customer was merged with someone else meanwhile is moot.
        qs = qs.filter(customer_a__merged_into__isnull=True, customer_b__merged_into__isnull=True)
    page = BY_SCORE.page(qs, cursor=cursor, limit=limit)
    if with_details:
        duplicate_details(page.items)
    return page


def duplicate_details(items: list[DuplicateCandidate]) -> None:
    """``customer.shown_identities`` and ``customer.shown_addresses`` for both sides."""
    customers = [c for item in items for c in (item.customer_a, item.customer_b)]
    ids = {c.pk for c in customers}
    identities: dict[int, list[Identity]] = defaultdict(list)
    addresses: dict[int, list[Address]] = defaultdict(list)
    if ids:
        for identity in (
            Identity.objects.filter(customer_id__in=ids)
            .exclude(kind=Identity.Kind.PIN)
            .order_by("kind", "-is_primary", "id")
        ):
            identities[identity.customer_id].append(identity)
        for address in Address.objects.filter(customer_id__in=ids).order_by("-is_primary", "id"):
            addresses[address.customer_id].append(address)
    for customer in customers:
        vars(customer).update(  # for display, not columns
            shown_identities=identities[customer.pk], shown_addresses=addresses[customer.pk]
        )


def duplicate_candidate_get(*, user: User, candidate_id: int) -> DuplicateCandidate:
    candidate = _candidates_visible_to(user).filter(pk=candidate_id).first()
    if candidate is None:
        raise NotFound(
            _("Possible duplicate %(id)s does not exist or is not visible to you.")
            % {"id": candidate_id}
        )
    return candidate


def _merges_visible_to(user: User) -> QuerySet[CustomerMerge]:
    return (
        CustomerMerge.objects.filter(scope_filter(user, "survivor__"))
        .filter(scope_filter(user, "merged__"))
        .select_related("survivor", "merged", "merged_by", "undone_by")
    )


def merge_list(*, user: User, limit: int = 20) -> list[CustomerMerge]:
    """The most recent merges the user may see (undone ones included): one query."""
    limit = max(1, min(limit, 200))
    return list(_merges_visible_to(user).order_by("-merged_at", "-id")[:limit])


def merge_get(*, user: User, merge_id: int) -> CustomerMerge:
    merge = _merges_visible_to(user).filter(pk=merge_id).first()
    if merge is None:
        raise NotFound(
            _("Merge %(id)s does not exist or is not visible to you.") % {"id": merge_id}
        )
    return merge
