"""Ana García López: the customer every demo and the bench open, with a rich ficha."""

import datetime
from decimal import Decimal

from panorama.channels.models import Interaction
from panorama.core.bulk_session import bulk_mode, reset_sequences
from panorama.customers.models import Identity

from . import data
from .generator import Seeder
from .staff import Staff
from .tables import MODELS

DNI = "12345678Z"
PHONE = "+34600112233"
EMAIL = "ana.garcia@example.com"
MADRID = next(city for city in data.CITIES if city[0] == "Madrid")


def showcase_customer_id() -> int | None:
    return (
        Identity.objects.filter(kind="national_id", value=DNI, customer__merged_into=None)
        .values_list("customer_id", flat=True)
        .order_by("customer_id")
        .first()
    )


def showcase_ensure(*, staff: Staff, interactions: int = 200) -> int:
    """Create the showcase customer (and her family) once; top her timeline up to
    ``interactions`` contacts. Returns her id."""
    anchor = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    seeder = Seeder(seed=20240101, staff=staff, anchor=anchor)
    team = staff.team_ids["Madrid Centro"]
    with bulk_mode():
        customer_id = showcase_customer_id()
        if customer_id is None:
            customer_id = seeder.person(
                first="Ana",
                last="García López",
                language="es",
                team_id=team,
                city=MADRID,
                national_id=DNI,
                phone=PHONE,
                email=EMAIL,
                birth_year=1978,
                holdings=4,
                incident=False,
                consents=True,
                interactions=0,
            )
            seeder._incident(customer_id, None, status="open", amount=Decimal("89.90"))
            partner = seeder.person(
                first="Luis",
                last="Martín Ruiz",
                language="es",
                team_id=team,
                city=MADRID,
                birth_year=1976,
            )
            child = seeder.person(
                first="Lucía",
                last="Martín García",
                language="es",
                team_id=team,
                city=MADRID,
                birth_year=2004,
            )
            seeder.group(
                "Familia García Martín",
                "family",
                [(customer_id, "head"), (partner, "partner"), (child, "child")],
            )
        have = Interaction.objects.filter(customer_id=customer_id).count()
        have += sum(1 for row in seeder.writers[Interaction].rows if row[1] == customer_id)
        if have < interactions:
            seeder._interactions(customer_id, interactions - have)
        seeder.flush()
        reset_sequences(MODELS)
    return customer_id
