"""A small field-service world shared by the service, page, API and browser tests: a
dispatcher managing a team of two technicians (each with a van), a customer with a
boiler under contract, a warehouse with parts."""

import datetime
from types import SimpleNamespace

from django.utils import timezone

from panorama.accounts.models import Role
from panorama.catalog.models import Product
from panorama.service.models import Part, StockLevel, StockLocation, TechnicianProfile
from panorama.service.services.asset import asset_register, contract_create

from ..factories import CustomerFactory, TeamFactory, UserFactory


def field_world(*, customer_owner=None, team=None) -> SimpleNamespace:
    crew = TeamFactory(name="Técnicos Madrid")
    dispatcher = UserFactory(
        username="dispatcher",
        first_name="Marta",
        last_name="Sanz",
        role=Role.SERVICE_AGENT,
        managed_teams=[crew],
    )
    tech = UserFactory(
        username="tech",
        first_name="Luis",
        last_name="Prieto",
        role=Role.SERVICE_AGENT,
        teams=[crew],
    )
    tech2 = UserFactory(
        username="tech2",
        first_name="Ana",
        last_name="Vidal",
        role=Role.SERVICE_AGENT,
        teams=[crew],
    )
    TechnicianProfile.objects.create(user=tech, skills=["boiler", "gas"], area="Madrid Norte")
    TechnicianProfile.objects.create(user=tech2, skills=["fibre"], area="Madrid Sur")
    customer = CustomerFactory(
        first_name="Lucía", last_name="Gómez", owner=customer_owner, team=team
    )
    boiler = Product.objects.create(sku="BOIL-24", name="Caldera Eco 24", list_price=1500)
    burner = Product.objects.create(sku="BURN-1", name="Quemador", list_price=200)
    asset = asset_register(
        by=None,
        customer_id=customer.pk,
        product_id=boiler.pk,
        serial_number="SN-0001",
        install_date=datetime.date(2024, 3, 1),
        site="Calle Mayor 1, Madrid",
    )
    component = asset_register(
        by=None,
        customer_id=customer.pk,
        product_id=burner.pk,
        serial_number="Q-77",
        parent_id=asset.pk,
    )
    today = timezone.localdate()
    contract = contract_create(
        by=None,
        customer_id=customer.pk,
        name="Mantenimiento Oro",
        starts_on=today - datetime.timedelta(days=100),
        ends_on=today + datetime.timedelta(days=200),
        asset_ids=[asset.pk],
        visits_included=2,
        hours_included=4,
        owner=dispatcher,
    )
    warehouse = StockLocation.objects.create(name="Almacén central", kind="warehouse")
    van = StockLocation.objects.create(name="Furgoneta Luis", kind="van", technician=tech)
    StockLocation.objects.create(name="Furgoneta Ana", kind="van", technician=tech2)
    valve = Part.objects.create(sku="VAL-3", name="Válvula de presión")
    StockLevel.objects.create(location=warehouse, part=valve, quantity=20, minimum=5)
    StockLevel.objects.create(location=van, part=valve, quantity=2, minimum=1)
    return SimpleNamespace(
        crew=crew,
        dispatcher=dispatcher,
        tech=tech,
        tech2=tech2,
        customer=customer,
        boiler=boiler,
        burner=burner,
        asset=asset,
        component=component,
        contract=contract,
        warehouse=warehouse,
        van=van,
        valve=valve,
    )


# A real 2×2 PNG (what the signature canvas uploads).
def tiny_png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "white").save(buffer, format="PNG")
    return buffer.getvalue()
