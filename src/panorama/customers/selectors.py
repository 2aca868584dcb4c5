"""Reads of customers, scoped to what the user may see.

Every query that returns customers starts from ``customers_visible_to``, so the UI,
the API, the import and other apps apply the same record-level rule.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    Exists,
    Model,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    prefetch_related_objects,
)
from django.utils.translation import gettext as _

from panorama.accounts.models import Role, Team, User
from panorama.core.exceptions import NotFound, ValidationFailed
from panorama.core.pagination import Keyset, Page

from . import identifiers
from .models import (
    Address,
    BillingIncident,
    Consent,
    Customer,
    CustomFieldDefinition,
    Group,
    GroupMembership,
    Holding,
    Identity,
)
from .panels import panel_data, panels_for, presence_annotations


def teams_in_scope(user: User) -> QuerySet[Team] | None:
    """The teams whose customers ``user`` sees (besides his own), None for all."""
    if user.sees_all_customers:
        return None
    if user.role == Role.SALES_MANAGER:
        # A manager sees the teams he manages and their sub-teams (two levels down).
        return Team.objects.filter(
            Q(managers=user) | Q(parent__managers=user) | Q(parent__parent__managers=user)
        )
    return Team.objects.filter(members=user)


def scope_filter(user: User, prefix: str = "") -> Q:
    """The Q that keeps the customers ``user`` may see (``prefix`` for joins)."""
    teams = teams_in_scope(user)
    if teams is None:
        return Q()
    return Q(**{f"{prefix}owner_id": user.pk}) | Q(**{f"{prefix}team_id__in": teams.values("pk")})


def customers_visible_to(user: User | None) -> QuerySet[Customer]:
    """The customers ``user`` may see (``None``: the system, a task or a command, sees
    every customer that was not merged away)."""
    live = Customer.objects.filter(merged_into__isnull=True)
    return live if user is None else live.filter(scope_filter(user))


def customer_get(
    *,
    user: User | None,
    customer_id: int,
    with_lists: bool = False,
    annotate: Mapping[str, Any] | None = None,
) -> Customer:
    """The customer, if ``user`` may see it. ``with_lists``: its identities, addresses,
    holdings, billing incidents and consents come prefetched, one query each (see
    ``customer_core_360``). ``annotate``: columns read with the customer's row (the
    ficha's panel presence flags)."""
    qs = customers_visible_to(user).select_related("owner", "team").filter(pk=customer_id)
    if with_lists:
        qs = qs.prefetch_related(*owned_prefetches())
    if annotate:
        qs = qs.annotate(**annotate)
    customer = qs.first()
    if customer is None:
        raise NotFound(
            _("Customer %(id)s does not exist or is not visible to you.") % {"id": customer_id}
        )
    return customer


def customer_survivor(*, user: User, customer_id: int) -> Customer | None:
    """The customer a merged-away one now lives on (through merges of merges), if
    ``user`` sees it; None when ``customer_id`` was never merged or the survivor is not
    visible to him. A bookmarked ficha of a merged duplicate leads here."""
    current, hops = customer_id, 0
    while hops < MAX_MERGE_HOPS:
        merged_into = (
            Customer.objects.filter(pk=current).values_list("merged_into_id", flat=True).first()
        )
        if merged_into is None:
            break
        current, hops = merged_into, hops + 1
    if hops == 0:
        return None
    return customers_visible_to(user).filter(pk=current).first()


MAX_MERGE_HOPS = 20


@dataclass
class Lookalike:
    customer: Customer
    reasons: list[str]


def customer_lookalikes(
    *, user: User, identities: list[tuple[str, str]], name: str, limit: int = 10
) -> list[Lookalike]:
    """Customers ``user`` sees who look like the one about to be created: the same
    normalised national ID, phone or e-mail (``identities``: (kind, normalised value)),
    or a very similar name (a rapidfuzz ratio ≥ 90 among up to 200 names that share
    the first half of its folded form). Two queries at most, whatever the table's size.
    Customers outside the user's scope are never named (the duplicate scan, run by
    someone who sees both, finds those)."""
    from rapidfuzz import fuzz

    found: dict[int, Lookalike] = {}
    kinds = dict(Identity.Kind.choices)
    if identities:
        match = Q()
        for kind, value in identities:
            match |= Q(kind=kind, value=value)
        rows = (
            Identity.objects.filter(match)
            .filter(customer__in=customers_visible_to(user))
            .select_related("customer")[: limit * 3]
        )
        for identity in rows:
            entry = found.setdefault(identity.customer_id, Lookalike(identity.customer, []))
            entry.reasons.append(
                _("same %(kind)s") % {"kind": str(kinds.get(identity.kind, identity.kind)).lower()}
            )
    folded = identifiers.fold(name)
    if len(folded) >= 3:
        prefix = folded[: max(3, len(folded) // 2)]
        for customer in customers_visible_to(user).filter(_prefix_q("search_name", prefix))[:200]:
            if fuzz.ratio(folded, customer.search_name) >= 90:
                entry = found.setdefault(customer.pk, Lookalike(customer, []))
                entry.reasons.append(_("similar name"))
    return list(found.values())[:limit]


# The ficha's lists that belong to the customer alone, each in the order the ficha shows.
OWNED_LISTS: dict[str, tuple[type[Model], tuple[str, ...]]] = {
    "identities": (Identity, ("kind", "-is_primary", "id")),
    "addresses": (Address, ("-is_primary", "id")),
    "holdings": (Holding, ("status", "-start_date", "id")),
    "billing_incidents": (BillingIncident, ("status", "-due_date", "id")),
    "consents": (Consent, ("purpose", "channel", "-at", "-id")),
}


def owned_prefetches() -> list[Prefetch]:
    """One ordered ``Prefetch`` per list of ``OWNED_LISTS``: one query each, whatever the
    customer's history. Each row's ``customer`` is the customer read, with no query."""
    return [
        Prefetch(name, queryset=model._default_manager.order_by(*order))
        for name, (model, order) in OWNED_LISTS.items()
    ]


# --- groups ---------------------------------------------------------------------------


def groups_visible_to(user: User) -> QuerySet[Group]:
    """The groups with a member ``user`` sees: a group's name ("Familia Zamora") tells
    about its members. A group with no member yet is visible to whoever created it, so
    he can fill it, and to no other user but those who see every customer."""
    if user.sees_all_customers:
        return Group.objects.all()
    members = GroupMembership.objects.filter(
        group_id=OuterRef("pk"), customer__merged_into__isnull=True
    )
    return Group.objects.filter(
        Exists(members.filter(scope_filter(user, "customer__")))
        | (Q(created_by=user) & ~Exists(members))
    )


def group_get(*, user: User, group_id: int) -> Group:
    group = groups_visible_to(user).filter(pk=group_id).first()
    if group is None:
        raise NotFound(
            _("Group %(id)s does not exist or is not visible to you.") % {"id": group_id}
        )
    return group


def membership_get(*, user: User, group_id: int, customer_id: int) -> GroupMembership:
    """The membership of a customer ``user`` sees in a group, or NotFound."""
    customer = customer_get(user=user, customer_id=customer_id)
    membership = (
        GroupMembership.objects.filter(group_id=group_id, customer=customer)
        .select_related("group")
        .first()
    )
    if membership is None:
        raise NotFound(
            _("%(customer)s is not in group %(id)s.") % {"customer": customer, "id": group_id}
        )
    return membership


def billing_incident_get(*, user: User, customer_id: int, incident_id: int) -> BillingIncident:
    """A billing incident of a customer ``user`` sees, or NotFound."""
    customer = customer_get(user=user, customer_id=customer_id)
    incident = customer.billing_incidents.filter(pk=incident_id).first()
    if incident is None:
        raise NotFound(_("This customer has no billing incident %(id)s.") % {"id": incident_id})
    return incident


# --- identify -------------------------------------------------------------------------


@dataclass
class IdentifyMatch:
    customer: Customer
    kind: str
    value: str


IDENTIFY_CUSTOMER_FIELDS = ("id", "kind", "status", "display_name", "owner_id", "team_id")


def identify(*, user: User | None, value: str, kind: str | None = None) -> list[IdentifyMatch]:
    """Customers whose identity matches ``value`` in any usual format: one indexed query.
    ``user`` None is the system (a channel adapter matching an inbound sender): every
    customer that was not merged away.

    Several customers may share an identifier (a family phone): they are all returned and
    the caller answers the ambiguity, never picks one.
    """
    pairs = identifiers.candidates(value, kind)
    if not pairs:
        return []
    wanted = set(pairs)
    rows = (
        Identity.objects.filter(
            value__in={v for _k, v in pairs},
            kind__in={k for k, _v in pairs},
            customer__merged_into__isnull=True,
        )
        .filter(Q() if user is None else scope_filter(user, "customer__"))
        .select_related("customer")
        # What a match shows (the API's CustomerListItem, the search box): building the
        # query and the instances costs a third less than with every column.
        .only(
            "customer_id",
            "kind",
            "value",
            *(f"customer__{name}" for name in IDENTIFY_CUSTOMER_FIELDS),
        )
        .order_by("customer_id")[:50]
    )
    matches: dict[int, IdentifyMatch] = {}
    for row in rows:
        if (row.kind, row.value) in wanted and row.customer_id not in matches:
            matches[row.customer_id] = IdentifyMatch(row.customer, row.kind, row.value)
    return list(matches.values())


# --- list and search ------------------------------------------------------------------

PAGE_SIZE = 50


BY_NAME = Keyset("search_name", "id", types=(str, int))
CustomerPage = Page[Customer]


def customers_matching(
    *,
    user: User,
    search: str = "",
    kind: str = "",
    status: str = "",
    owner_id: int | None = None,
    team_id: int | None = None,
    custom: dict[str, str] | None = None,
) -> QuerySet[Customer]:
    """The customers ``user`` sees that match the filters, unordered: the list pages it
    (``customer_list``), counts it and bulk actions run over all of it."""
    identifiers.text_refuse_nul(search, "search")
    qs = customers_visible_to(user)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    if team_id:
        qs = qs.filter(team_id=team_id)
    if custom:
        qs = qs.filter(custom_field_filter(custom))
    if search:
        matches = Q()
        for branch in search_branches(search):
            matches |= branch
        qs = qs.filter(matches)
    return qs


def customer_list(
    *,
    user: User,
    search: str = "",
    kind: str = "",
    status: str = "",
    owner_id: int | None = None,
    team_id: int | None = None,
    custom: dict[str, str] | None = None,
    cursor: str = "",
    limit: int = PAGE_SIZE,
    order: Keyset = BY_NAME,
    max_limit: int = 200,
    annotate: dict[str, Any] | None = None,
) -> CustomerPage:
    """One page of customers in ``order`` (by name unless told), keyset-paginated.

    One query; with ``search``, first one per way of matching (full-name prefix,
    last-name prefix, identifier), each answered from its own index: OR-ed into one
    query, PostgreSQL walks the whole name index instead (90 ms at 100k customers).
    ``max_limit``: the list page draws up to 1,000 rows at once when it comes back to a
    place deep in the list ("load more" remembered in its URL). ``annotate``: what the
    list's shown columns add to the page's query (the last contact).
    """
    limit = max(1, min(limit, max_limit))
    qs = customers_matching(
        user=user, kind=kind, status=status, owner_id=owner_id, team_id=team_id, custom=custom
    ).select_related("owner", "team")
    identifiers.text_refuse_nul(search, "search")
    if cursor:
        qs = order.after(qs, order.decode(cursor))
    ordered = order.ordered(qs)
    if search:
        # Each branch's first page, then the page of their union, all in the database's
        # own order (its collation decides, as it does for the cursor).
        ids: set[int] = set()
        for branch in search_branches(search):
            ids.update(ordered.filter(branch).values_list("pk", flat=True)[: limit + 1])
        ordered = ordered.filter(pk__in=ids)
    if annotate:
        ordered = ordered.annotate(**annotate)
    return order.cut(list(ordered[: limit + 1]), limit)


def search_branches(text: str) -> list[Q]:
    """The ways ``text`` can match a customer: full-name prefix, last-name prefix, and an
    exact identifier when it reads as one. Each is answered from an index."""
    folded = identifiers.fold(text)
    branches = [_prefix_q("search_name", folded), _prefix_q("search_last", folded)]
    try:
        pairs = identifiers.candidates(text)
    except ValidationFailed:
        pairs = []
    if pairs:
        branches.append(
            Q(
                pk__in=Identity.objects.filter(
                    value__in={v for _k, v in pairs}, kind__in={k for k, _v in pairs}
                ).values("customer_id")
            )
        )
    return branches


def _prefix_q(field: str, prefix: str) -> Q:
    """``field`` starts with ``prefix``, as a query the database answers from an index.

    SQLite never uses an index for Django's ``LIKE … ESCAPE``, but its binary collation
    makes the range [prefix, prefix + U+10FFFF) exact. PostgreSQL gets LIKE 'p%', a range
    of the (search_name, id) index because the search keys use the "C" collation there
    (migration 0005).
    """
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + "\U0010ffff"})
    return Q(**{f"{field}__startswith": prefix})


def custom_field_filter(custom: dict[str, str]) -> Q:
    definitions = {d.key: d for d in CustomFieldDefinition.objects.filter(key__in=custom)}
    q = Q()
    for key, raw in custom.items():
        definition = definitions.get(key)
        if definition is None or not definition.searchable or not definition.active:
            raise ValidationFailed(
                _("%(key)s is not a searchable custom field.") % {"key": key}, field=key
            )
        from .services.custom_fields import custom_field_clean

        q &= Q(**{f"custom_fields__{key}": custom_field_clean(definition, raw)})
    return q


# --- the ficha / 360 ------------------------------------------------------------------


def customer_core_360(*, customer: Customer, user: User) -> dict[str, Any]:
    """Identities, addresses, groups (with fellow members), holdings, incidents, consents:
    six queries whatever the customer's history (one when the customer was read
    ``with_lists``: the groups)."""
    prefetch_related_objects([customer], *owned_prefetches())  # skips what came prefetched
    identities = list(customer.identities.all())
    addresses = list(customer.addresses.all())
    memberships = GroupMembership.objects.filter(
        group_id__in=GroupMembership.objects.filter(customer=customer).values("group_id"),
        customer__merged_into__isnull=True,  # also for merges made before they dropped it
    )
    scope = scope_filter(user, "customer__")
    if scope:  # fellow members outside the user's scope stay hidden, as in the groups API
        memberships = memberships.filter(Q(customer=customer) | scope)
    groups: dict[int, dict[str, Any]] = {}
    for membership in memberships.select_related("group", "customer").order_by("group_id", "id"):
        entry = groups.setdefault(
            membership.group_id, {"group": membership.group, "role": None, "members": []}
        )
        if membership.customer_id == customer.pk:
            entry["role"] = membership
        else:
            entry["members"].append(membership)
    holdings = list(customer.holdings.all())
    incidents = list(customer.billing_incidents.all())
    consents = list(customer.consents.all())
    current: dict[tuple[str, str], Consent] = {}
    for consent in consents:
        current.setdefault((consent.purpose, consent.channel), consent)
    return {
        "identities": identities,
        "addresses": addresses,
        "groups": list(groups.values()),
        "holdings": holdings,
        "billing_incidents": incidents,
        "consents": list(current.values()),
        "consent_history": consents,
    }


def customer_360(
    *, user: User, customer_id: int, params: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Everything the ficha shows: the core plus each registered panel's data
    (``params``: the ficha address's query, for the panels that read it). The panels'
    presence flags come with the customer's row: a panel with nothing to show costs no
    query, one with something one query (two for the segments)."""
    customer = customer_get(
        user=user, customer_id=customer_id, with_lists=True, annotate=presence_annotations()
    )
    data = {"customer": customer, **customer_core_360(customer=customer, user=user)}
    data["panels"] = [
        {"panel": panel, "data": panel_data(panel, customer=customer, user=user, params=params)}
        for panel in panels_for(user)
    ]
    return data


def custom_fields_all(*, by: Any) -> QuerySet[CustomFieldDefinition]:
    """Every custom field's definition, active or not, for its administrators (403 else)."""
    from panorama.accounts.permissions import ensure_can

    ensure_can(by, "customers.configure_fields")
    return CustomFieldDefinition.objects.all()


def custom_field_get(*, by: Any, field_id: int) -> CustomFieldDefinition:
    definition = custom_fields_all(by=by).filter(pk=field_id).first()
    if definition is None:
        raise NotFound(_("This custom field does not exist."))
    return definition


def custom_field_definitions(*, inactive: bool = False) -> list[CustomFieldDefinition]:
    """The active custom fields: what forms, the ficha and the import show
    (``inactive``: the deactivated ones too, whose stored values are kept)."""
    qs = CustomFieldDefinition.objects.all()
    return list(qs if inactive else qs.filter(active=True))
