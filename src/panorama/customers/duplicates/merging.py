"""What a merge does with each kind of record that points at a customer.

Merging moves every row that points at the merged customer to the survivor, from any
app, found by walking the foreign keys to ``Customer``. Where moving is not the whole
answer, the app that owns the model says so from its ``AppConfig.ready()``::

    from panorama.customers.duplicates import merging

    merging.register(Opportunity, "customer")                       # moves (the default)
    merging.register(LoyaltyCard, "customer", policy=merging.DROP_DUPLICATES)
    merging.register(CaseWatcher, "customer", policy=merging.LEAVE)

A link that is part of a uniqueness rule (a one-to-one, a unique constraint) must be
registered: the survivor may already hold the same row, and someone has to decide.
``tests/customers/test_merge_links.py`` walks every installed app and fails on a link
that is neither moved nor registered, so a new app's records can never be orphaned by
a merge (left on a customer nobody sees) nor lost by its undo.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.db.models import Q, UniqueConstraint

# Re-link to the survivor. Rows that would break a uniqueness rule on the survivor (it
# already has the same identity) stay on the merged customer, listed in the merge.
MOVE = "move"
# Re-link to the survivor; rows the survivor already has (same unique key) are deleted,
# saved whole in the merge, and put back by its undo. For links also read from their
# other end: a group listing the merged customer beside the survivor.
DROP_DUPLICATES = "drop_duplicates"
# Records about customers rather than of them (merges, imports, duplicate pairs): they
# stay where they are.
LEAVE = "leave"
POLICIES = (MOVE, DROP_DUPLICATES, LEAVE)


@dataclass(frozen=True)
class Link:
    model: type[models.Model]
    field: models.ForeignKey
    policy: str = MOVE
    registered: bool = False
    # Uniqueness the database does not enforce but the services do ((fields, condition)).
    unique: tuple[tuple[tuple[str, ...], Q | None], ...] = ()

    @property
    def label(self) -> str:
        return f"{self.model._meta.label_lower}.{self.field.name}"


_registry: dict[str, tuple[str, tuple]] = {}


def register(
    model: type[models.Model],
    field_name: str = "customer",
    *,
    policy: str = MOVE,
    unique: tuple[tuple[tuple[str, ...], Q | None], ...] = (),
) -> None:
    """Declare what a merge does with ``model.field_name`` (a foreign key to Customer)."""
    if policy not in POLICIES:
        raise ValueError(f"Unknown merge policy {policy!r}: one of {POLICIES}.")
    related = model._meta.get_field(field_name).related_model
    if not (isinstance(related, type) and issubclass(related, models.Model)) or (
        related._meta.label_lower != "customers.customer"
    ):
        raise ValueError(f"{model._meta.label}.{field_name} does not point at a customer.")
    _registry[f"{model._meta.label_lower}.{field_name}"] = (policy, tuple(unique))


def _constrained(model: type[models.Model], fld: models.Field) -> bool:
    """Whether ``fld`` takes part in a uniqueness rule of ``model``."""
    if fld.unique:
        return True
    if any(fld.name in together for together in model._meta.unique_together):
        return True
    return any(
        isinstance(c, UniqueConstraint) and fld.name in c.fields for c in model._meta.constraints
    )


def links() -> Iterator[Link]:
    """Every foreign key (or one-to-one) to Customer in every installed app, with what a
    merge does with it. Unregistered links move."""
    customer = apps.get_model("customers", "Customer")
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        for fld in model._meta.local_fields:
            if not isinstance(fld, models.ForeignKey) or fld.related_model is not customer:
                continue
            label = f"{model._meta.label_lower}.{fld.name}"
            policy, unique = _registry.get(label, (MOVE, ()))
            yield Link(model, fld, policy, label in _registry, unique)


def unregistered_constrained() -> list[str]:
    """Links part of a uniqueness rule that no app decided about (the walk test's list)."""
    return [
        link.label
        for link in links()
        if not link.registered and _constrained(link.model, link.field)
    ]
