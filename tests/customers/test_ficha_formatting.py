"""The ficha shows money, phones, durations and a holding's conditions the way a reader
of each language writes them, not as stored (``18.5 EUR``, ``+34600112233``, ``1787 s``)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from panorama.accounts.models import Role
from tests.factories import (
    BillingIncidentFactory,
    CustomerFactory,
    HoldingFactory,
    IdentityFactory,
    InteractionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ficha(client):
    customer = CustomerFactory(first_name="Lucía", last_name="Gómez")
    IdentityFactory(customer=customer, kind="phone", value="+34600112233", is_primary=True)
    IdentityFactory(customer=customer, kind="phone", value="+442079460958")
    HoldingFactory(
        customer=customer,
        price=Decimal("1234.5"),
        conditions={"roadside_assistance": True, "interest_rate": 2.95, "minutes": "unlimited"},
    )
    BillingIncidentFactory(customer=customer, amount=Decimal("18.5"))
    InteractionFactory(customer=customer, duration_seconds=1787)

    def read(language: str) -> str:
        user = UserFactory(role=Role.SERVICE_AGENT, language=language)
        client.force_login(user)
        response = client.get(reverse("customers:detail", args=[customer.pk]))
        assert response.status_code == 200
        return response.content.decode()

    return read


def test_spanish_reader_sees_spanish_money_numbers_and_labels(ficha):
    page = ficha("es")
    assert "18,50\xa0€" in page
    assert "1234,50\xa0€" in page or "1.234,50\xa0€" in page
    assert "600 11 22 33" in page  # a Spanish number in national format
    assert "+44 20 7946 0958" in page  # a foreign one in international format
    assert "29 min 47 s" in page
    assert "Asistencia en carretera" in page and "Sí" in page
    assert "2,95" in page
    assert "ilimitado" in page
    assert "roadside_assistance" not in page
    assert "18.5 EUR" not in page


def test_english_reader_sees_english_money(ficha):
    page = ficha("en")
    assert "€18.50" in page
    assert "€1,234.50" in page
    assert "Roadside assistance" in page and "Yes" in page
    assert "29 min 47 s" in page
    assert "p.m." not in page and "a.m." not in page  # 24-hour times, no doubled stop
