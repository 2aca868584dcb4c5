"""``panorama seed``: deterministic, valid data that the rest of Panorama finds."""

import io
from collections import Counter

import pytest
from django.core.management import call_command
from stdnum.es import cif, dni, nie

from panorama.accounts.models import Role, Team
from panorama.channels.models import Interaction
from panorama.customers import identifiers
from panorama.customers.models import Consent, Customer, Group, Holding, Identity
from panorama.seeding import ids

pytestmark = pytest.mark.django_db


def seed(count=200, seed=7, **options):
    out = io.StringIO()
    call_command("seed", customers=count, seed=seed, stdout=out, **options)
    return out.getvalue()


def snapshot(customers):
    return [
        (c.display_name, c.kind, sorted(c.identities.values_list("kind", "value")))
        for c in customers
    ]


def test_the_same_seed_gives_the_same_customers():
    seed()
    ordered = Customer.objects.order_by("id")
    first, last = snapshot(ordered[:5]), snapshot(ordered.reverse()[:5])
    Customer.objects.all().delete()
    Group.objects.all().delete()

    seed()

    assert Customer.objects.count() == 200
    assert snapshot(ordered[:5]) == first
    assert snapshot(ordered.reverse()[:5]) == last


def test_another_seed_gives_other_customers():
    seed(count=20, seed=1)
    names = set(Customer.objects.values_list("display_name", flat=True))
    Customer.objects.all().delete()
    seed(count=20, seed=2)
    assert set(Customer.objects.values_list("display_name", flat=True)) != names


def test_seeded_identifiers_are_what_the_services_would_store():
    output = seed()

    assert "Seeded 200 customers" in output and "rows/s" in output
    checks = {
        "national_id": identifiers.normalise_national_id,
        "phone": identifiers.normalise_phone,
        "email": identifiers.normalise_email,
        "loyalty_card": identifiers.normalise_card,
    }
    rows = list(Identity.objects.values_list("kind", "value"))
    for kind, value in rows:
        if kind in checks:
            assert checks[kind](value) == value, (kind, value)
    kinds = Counter(kind for kind, _value in rows)
    assert kinds["national_id"] == kinds["phone"] == kinds["email"] == 200
    assert all(value.startswith("+346") for kind, value in rows if kind == "phone")
    assert len({value for kind, value in rows if kind == "national_id"}) == 200
    for customer in Customer.objects.all():
        assert customer.search_name == identifiers.fold(customer.display_name)
        if customer.kind == Customer.Kind.PERSON:
            assert customer.search_last == identifiers.fold(customer.last_name)


def test_seeded_customers_have_a_full_ficha():
    seed(interactions_per_customer=5)

    kinds = Counter(Customer.objects.values_list("kind", flat=True))
    assert kinds["person"] > kinds["organisation"] > 0
    assert Group.objects.filter(kind="family").exists()
    assert Holding.objects.count() > 200
    assert Consent.objects.values("customer").distinct().count() > 100
    assert 600 < Interaction.objects.count() < 1400
    assert Customer.objects.filter(owner__isnull=False, team__isnull=False).count() > 150
    assert set(Team.objects.values_list("name", flat=True)) >= {
        "Madrid Centro",
        "Barcelona",
        "Valencia",
        "Empresas",
    }
    from panorama.accounts.models import User

    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)


def test_identify_finds_a_seeded_customer_by_its_phone_written_differently(api):
    seed(count=50)
    identity = Identity.objects.filter(kind="phone").order_by("id")[7]
    digits = identity.value.removeprefix("+34")
    typed = f"{digits[:3]} {digits[3:5]} {digits[5:7]} {digits[7:]}"

    response = api.get(f"/identify?value={typed}")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "found"
    assert body["matches"][0]["customer"]["id"] == identity.customer_id


def test_seeding_adds_after_the_existing_customers():
    seed(count=30, seed=3)
    seed(count=30, seed=4)
    assert Customer.objects.count() == 60
    values = Identity.objects.filter(kind="national_id").values_list("value", flat=True)
    assert len(set(values)) == 60


def test_seeded_dni_nie_and_cif_pass_stdnum_validation():
    assert ids.dni(12345678) == "12345678Z"
    assert ids.nie(0, 1234567) == "X1234567L"
    seed()
    values = Identity.objects.filter(kind="national_id").values_list("value", flat=True)
    for value in values:
        if value[0] in "XYZ":
            assert nie.is_valid(value), value
        elif value[0].isdigit():
            assert dni.is_valid(value), value
        else:
            assert cif.is_valid(value), value
