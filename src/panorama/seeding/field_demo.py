"""Field service in the demo: three technicians with skills, areas and vans, a
dispatcher (the service supervisor manages the technicians' team), assets with
components at some customers' sites, contracts and warranties (two ending within a
month), maintenance plans, a day of work orders on the dispatch board (some
unassigned, one in progress, one done and signed) and parts stock (some to reorder)."""

import datetime
import io
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from panorama.accounts.models import Role, Team, User
from panorama.catalog.models import Product
from panorama.customers.models import Customer
from panorama.service.models import (
    Asset,
    MaintenancePlan,
    Part,
    StockLevel,
    StockLocation,
    TechnicianProfile,
)
from panorama.service.services.asset import asset_register, contract_create
from panorama.service.services.parts import work_order_use_part
from panorama.service.services.workorder import (
    work_order_complete,
    work_order_create,
    work_order_dispatch,
    work_order_set_status,
    work_order_sign,
)

from .showcase import showcase_customer_id

TECHNICIANS = (
    ("tech.norte", "Luis", "Prieto Gil", ["boiler", "gas"], "Madrid Norte"),
    ("tech.sur", "Ana", "Vidal Ramos", ["fibre", "router", "alarm"], "Madrid Sur"),
    ("tech.gas", "Raúl", "Méndez Soto", ["boiler", "gas", "alarm"], "Alcalá y Henares"),
)
PRODUCTS = (
    ("FS-BOIL-24", "Caldera de condensación Eco 24", "boiler"),
    ("FS-ROUTER-6", "Router fibra Wi-Fi 6", "router"),
    ("FS-ALARM-PRO", "Central de alarma Pro", "alarm"),
)
COMPONENTS = {"FS-BOIL-24": ("FS-BURNER", "Quemador modulante")}
PARTS = (
    ("P-VALV-3", "Válvula de presión 3 bar", 30, 8, 4, 2),
    ("P-SENS-NTC", "Sonda NTC", 12, 5, 3, 1),
    ("P-ONT-GPON", "ONT GPON", 6, 10, 2, 1),  # below its minimum in the warehouse
    ("P-BAT-12V", "Batería 12 V alarma", 20, 6, 3, 1),
    ("P-JUNTA", "Junta de quemador", 40, 10, 0, 2),  # the vans are short of it
)
STREETS = (
    "Calle Mayor",
    "Av. de América",
    "Calle Alcalá",
    "Paseo de la Castellana",
    "Calle Princesa",
    "Calle Bravo Murillo",
    "Av. de la Albufera",
)
JOBS = (
    ("Revisión anual de caldera", "boiler"),
    ("La caldera pierde presión", "boiler"),
    ("Sin agua caliente", "boiler"),
    ("Cambio de router", "router"),
    ("Wi-Fi inestable en la planta alta", "router"),
    ("Revisión de la central de alarma", "alarm"),
    ("Olor a gas: inspección", "gas"),
)


def _png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (300, 100), "white")
    ImageDraw.Draw(image).line(
        [(20, 70), (80, 20), (140, 75), (220, 25), (280, 60)], fill="black", width=3
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _technicians() -> list[User]:
    crew, _created = Team.objects.get_or_create(name="Técnicos de campo")
    users = []
    for username, first, last, skills, area in TECHNICIANS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                first_name=first,
                last_name=last,
                role=Role.SERVICE_AGENT,
                email=f"{username}@example.com",
            )
            user.set_unusable_password()
            user.save()
        user.teams.add(crew)
        TechnicianProfile.objects.get_or_create(
            user=user, defaults={"skills": skills, "area": area}
        )
        StockLocation.objects.get_or_create(
            name=f"Furgoneta {first}", defaults={"kind": "van", "technician": user}
        )
        users.append(user)
    dispatcher = User.objects.filter(username="supervisor").first()
    if dispatcher is not None:
        dispatcher.managed_teams.add(crew)
    return users


def _parts(vans: list[StockLocation]) -> list[Part]:
    warehouse, _created = StockLocation.objects.get_or_create(
        name="Almacén central", defaults={"kind": "warehouse"}
    )
    parts = []
    for sku, name, stock, minimum, in_van, van_minimum in PARTS:
        part, _created = Part.objects.get_or_create(sku=sku, defaults={"name": name})
        StockLevel.objects.get_or_create(
            location=warehouse, part=part, defaults={"quantity": stock, "minimum": minimum}
        )
        for van in vans:
            StockLevel.objects.get_or_create(
                location=van, part=part, defaults={"quantity": in_van, "minimum": van_minimum}
            )
        parts.append(part)
    return parts


@transaction.atomic
def field_demo_ensure(*, customers: int = 14, seed: int = 9) -> int:
    """Seed field service once (nothing when technicians exist). Returns the number of
    work orders created."""
    if TechnicianProfile.objects.exists():
        return 0
    rng = random.Random(seed)
    technicians = _technicians()
    vans = list(StockLocation.objects.filter(kind="van", technician__in=technicians))
    parts = _parts(vans)
    products = {
        sku: Product.objects.get_or_create(sku=sku, defaults={"name": name, "list_price": 0})[0]
        for sku, name, _skill in PRODUCTS
    }
    components = {
        sku: Product.objects.get_or_create(sku=c_sku, defaults={"name": c_name, "list_price": 0})[0]
        for sku, (c_sku, c_name) in COMPONENTS.items()
    }
    skill_of = {sku: skill for sku, _name, skill in PRODUCTS}
    first = showcase_customer_id()
    ids = list(
        Customer.objects.filter(merged_into__isnull=True)
        .exclude(pk=first or 0)
        .order_by("id")
        .values_list("pk", flat=True)[: customers - 1]
    )
    customer_ids = ([first] if first else []) + ids
    today = timezone.localdate()
    owner = User.objects.filter(username="supervisor").first()
    assets: list[Asset] = []
    for index, customer_id in enumerate(customer_ids):
        sku = list(products)[index % len(products)]
        asset = asset_register(
            by=None,
            customer_id=customer_id,
            product_id=products[sku].pk,
            serial_number=f"{sku[3:7]}-{2024000 + index * 37}",
            install_date=today - datetime.timedelta(days=rng.randint(60, 1500)),
            site=f"{rng.choice(STREETS)} {rng.randint(1, 180)}, Madrid",
        )
        assets.append(asset)
        if sku in components:
            asset_register(
                by=None,
                customer_id=customer_id,
                product_id=components[sku].pk,
                serial_number=f"QM-{5000 + index}",
                parent_id=asset.pk,
                install_date=asset.install_date,
                site=asset.site,
            )
        if index % 3 != 2:  # two customers in three have a contract
            ends = today + datetime.timedelta(days=(20 + index * 5) if index < 4 else 200 + index)
            contract_create(
                by=None,
                customer_id=customer_id,
                name="Mantenimiento Oro" if index % 2 else "Mantenimiento Básico",
                starts_on=ends - datetime.timedelta(days=365),
                ends_on=ends,
                asset_ids=[asset.pk],
                owner=owner,
                visits_included=4 if index % 2 else 2,
                hours_included=Decimal(8) if index % 2 else None,
            )
        elif index % 2 == 0:
            contract_create(
                by=None,
                customer_id=customer_id,
                name="Garantía del fabricante",
                kind="warranty",
                starts_on=asset.install_date or today,
                ends_on=(asset.install_date or today) + datetime.timedelta(days=730),
                product_ids=[products[sku].pk],
            )
        if index < 4:
            MaintenancePlan.objects.create(
                asset=asset,
                name="Revisión periódica",
                interval_days=180,
                next_due=today + datetime.timedelta(days=20 + index * 10),
                skill=skill_of[sku],
            )
    created = 0
    signature = _png()
    for index, asset in enumerate(assets[:12]):
        sku = asset.product.sku
        subject, skill = rng.choice(
            [
                job
                for job in JOBS
                if job[1] in (skill_of[sku], "gas") and (job[1] != "gas" or sku == "FS-BOIL-24")
            ]
        )
        fit = [t for t in technicians if skill in t.technician.skill_list()]
        tech = fit[index % len(fit)]
        order = work_order_create(
            by=None,
            asset_id=asset.pk,
            subject=subject,
            skill=skill,
            duration_minutes=rng.choice((45, 60, 90)),
            area=tech.technician.area,  # the demo's jobs are in its technicians' areas
        )
        created += 1
        if index >= 10:
            continue  # unassigned: for the dispatcher to drag onto a technician
        order = work_order_dispatch(
            by=None, work_order_id=order.pk, technician_id=tech.pk, day=today
        )
        if index == 0:
            work_order_set_status(by=None, work_order_id=order.pk, status="in_progress")
            work_order_use_part(by=None, work_order_id=order.pk, part_id=parts[0].pk, quantity=1)
            work_order_sign(
                by=None,
                work_order_id=order.pk,
                content=signature,
                signed_by=order.customer.display_name[:120],
            )
            work_order_complete(
                by=None,
                work_order_id=order.pk,
                minutes_spent=50,
                checklist_done=list(range(len(order.checklist))),
                notes="Presión ajustada y purgado el circuito.",
            )
        elif index == 1:
            work_order_set_status(by=None, work_order_id=order.pk, status="in_progress")
    return created
