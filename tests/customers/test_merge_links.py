"""Every record of every app that points at a customer is moved by a merge, or an app
decided otherwise (``customers.duplicates.merging``): a new app's opportunities or cases
can never be left on a customer nobody sees, nor lost when a merge is undone."""

import pytest
from django.apps import apps
from django.db import models

from panorama.channels.models import Interaction
from panorama.customers.duplicates import merging
from panorama.customers.duplicates.services.merge import (
    customer_links,
    customer_merge,
    customer_merge_undo,
)
from panorama.customers.models import Customer, Holding
from tests.factories import CustomerFactory, InteractionFactory

pytestmark = pytest.mark.django_db


def _every_link_to_a_customer() -> set[str]:
    """Walked apart from ``merging.links``: every foreign key, one-to-one and many-to-many
    (through its table) to Customer, in every installed app."""
    found = set()
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            if not getattr(field, "concrete", False) or not field.is_relation:
                continue
            if field.related_model is not Customer:
                continue
            if isinstance(field, models.ManyToManyField):
                continue  # its through table's own foreign keys are walked instead
            found.add(f"{model._meta.label_lower}.{field.name}")
    return found


def test_every_link_to_a_customer_is_moved_or_deliberately_left():
    every = _every_link_to_a_customer()
    decided = {link.label: link for link in merging.links()}
    moved = {f"{model._meta.label_lower}.{field.name}" for model, field in customer_links()}

    assert set(decided) == every
    left = {label for label, link in decided.items() if link.policy == merging.LEAVE}
    assert moved == every - left
    # Left alone only by an app's decision, never by accident.
    assert all(decided[label].registered for label in left)
    # A link in a uniqueness rule (one-to-one, unique constraint) needs its app to say
    # what happens when the survivor already holds the same row.
    assert merging.unregistered_constrained() == []
    # What this codebase has today, so a change to the list is a decision in review.
    assert left == {
        "analytics.customerscore.customer",  # recomputed for the survivor by the next run
        "customers.customer.merged_into",
        "customers.customermerge.merged",
        "customers.customermerge.survivor",
        "customers.duplicatecandidate.customer_a",
        "customers.duplicatecandidate.customer_b",
        "customers.importchange.customer",
    }


def test_the_registry_decides_what_a_merge_moves(admin_user):
    survivor, merged = CustomerFactory(), CustomerFactory()
    call = InteractionFactory(customer=merged)
    merging.register(Interaction, "customer", policy=merging.LEAVE)
    try:
        merge = customer_merge(survivor=survivor, merged=merged, by=admin_user)
        call.refresh_from_db()
        assert call.customer_id == merged.pk
        customer_merge_undo(merge=merge, by=admin_user)
    finally:
        merging.register(Interaction, "customer", policy=merging.MOVE)

    merge = customer_merge(survivor=survivor, merged=merged, by=admin_user)
    call.refresh_from_db()
    assert call.customer_id == survivor.pk
    customer_merge_undo(merge=merge, by=admin_user)
    call.refresh_from_db()
    assert call.customer_id == merged.pk


def test_only_links_to_a_customer_and_known_policies_register():
    with pytest.raises(ValueError):
        merging.register(Holding, "customer", policy="forget")
    with pytest.raises(ValueError):
        merging.register(Interaction, "agent")
