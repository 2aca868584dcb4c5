"""interaction_record checks who records, whoever calls it: the API and the ficha are
two callers among the apps to come (a CTI adapter, a campaign, a case)."""

import pytest

from panorama.accounts.models import Role
from panorama.channels.models import Interaction
from panorama.channels.services import interaction_record
from panorama.core.exceptions import NotFound, PermissionDenied, ValidationFailed
from tests.factories import CustomerFactory, HoldingFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_interaction_record_emits_interaction_recorded(emitted, admin_user):
    customer = CustomerFactory()
    with emitted() as events:
        interaction = interaction_record(
            customer_id=customer.pk,
            channel="phone",
            direction="inbound",
            subject="Asks about her mortgage",
            by=admin_user,
            agent=admin_user,
        )
    assert events == [
        (
            "interaction.recorded",
            {
                "customer_id": customer.pk,
                "interaction_id": interaction.pk,
                "channel": "phone",
                "direction": "inbound",
                "by": admin_user.pk,
            },
        )
    ]


CALL = {"channel": "phone", "direction": "inbound", "subject": "Asked about the card limit"}


def test_an_analyst_cannot_record_a_contact():
    analyst = UserFactory(role=Role.ANALYST)
    customer = CustomerFactory()

    with pytest.raises(PermissionDenied, match="can read contacts but not record them"):
        interaction_record(customer_id=customer.pk, by=analyst, agent=analyst, **CALL)
    assert Interaction.objects.count() == 0


def test_a_rep_cannot_record_a_contact_on_a_customer_he_does_not_see(rep):
    hidden = CustomerFactory(owner=UserFactory(), team=None)

    with pytest.raises(NotFound):
        interaction_record(customer_id=hidden.pk, by=rep, agent=rep, **CALL)
    assert Interaction.objects.count() == 0


def test_a_contact_cannot_point_at_another_customers_record(rep):
    mine = CustomerFactory(owner=rep)
    card_of_another = HoldingFactory(customer=CustomerFactory(owner=rep))

    with pytest.raises(ValidationFailed):
        interaction_record(customer_id=mine.pk, by=rep, agent=rep, related=card_of_another, **CALL)
    recorded = interaction_record(customer_id=mine.pk, by=rep, agent=rep, **CALL)
    assert recorded.customer_id == mine.pk


def test_the_system_records_for_any_customer():
    customer = CustomerFactory(owner=UserFactory(), team=None)

    recorded = interaction_record(customer_id=customer.pk, by=None, **CALL)

    assert recorded.agent is None and recorded.customer_id == customer.pk


def test_the_related_record_is_a_generic_foreign_key_that_follows_a_merge(admin_user):
    from panorama.customers.duplicates.services.merge import customer_merge, customer_merge_undo

    survivor, merged = CustomerFactory(), CustomerFactory()
    card = HoldingFactory(customer=merged)
    contact = interaction_record(
        customer_id=merged.pk, by=admin_user, agent=admin_user, related=card, **CALL
    )
    assert Interaction.objects.get(pk=contact.pk).related == card

    merge = customer_merge(survivor=survivor, merged=merged, by=admin_user)

    contact = Interaction.objects.get(pk=contact.pk)
    assert contact.customer_id == survivor.pk
    assert contact.related == card and contact.related.customer_id == survivor.pk

    customer_merge_undo(merge=merge, by=admin_user)
    contact = Interaction.objects.get(pk=contact.pk)
    assert contact.customer_id == merged.pk
    assert contact.related == card and contact.related.customer_id == merged.pk
