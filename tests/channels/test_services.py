import pytest

from panorama.channels.services import interaction_record
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_interaction_record_emits_interaction_recorded(emitted, admin_user):
    customer = CustomerFactory()
    with emitted() as events:
        interaction = interaction_record(
            customer_id=customer.pk,
            channel="phone",
            direction="inbound",
            subject="Asks about her mortgage",
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
