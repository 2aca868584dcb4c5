"""The demo's commercial agenda and sales scripts: a week of calls, visits, meetings and
tasks for each sales rep (the days gone logged with an outcome, which is on the
customers' timelines; the rest planned, some with a reminder), a few scripts in Spanish
and English, and the forecast categories of the demo stages."""

import datetime
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from panorama.accounts.models import Role, User
from panorama.catalog.models import Product
from panorama.customers.models import Customer
from panorama.sales.models import Activity, Opportunity, Script, Stage
from panorama.sales.services.activity import activity_complete, activity_plan
from panorama.sales.services.script import script_create

# (kind, subject, hour, minutes, outcome when done)
SLOTS = [
    ("call", "Llamada de seguimiento", 9, 15, "Interesado: pide la oferta por escrito."),
    ("visit", "Visita comercial", 11, 60, "Visita hecha: revisamos necesidades y precios."),
    ("call", "Renovación del contrato", 13, 15, "No contesta: volver a llamar el jueves."),
    (
        "meeting",
        "Reunión de propuesta",
        16,
        45,
        "Propuesta presentada; decide la semana que viene.",
    ),
    ("task", "Preparar la oferta", 18, 30, ""),
]
STAGE_CATEGORIES = {
    "Propuesta": Stage.ForecastCategory.BEST_CASE,
    "Negociación": Stage.ForecastCategory.COMMIT,
    "Oferta": Stage.ForecastCategory.BEST_CASE,
}


def _scripts() -> int:
    if Script.objects.exists():
        return 0
    product = Product.objects.filter(active=True).order_by("id").first()
    negotiation = Stage.objects.filter(name="Negociación").first()
    scripts: list[dict[str, Any]] = [
        {
            "title": "Presentación de la compañía",
            "language": "es",
            "body": "Quiénes somos: más de 20 años, atención local y un gestor personal.\n"
            "Pregunta siempre por sus necesidades antes de hablar de precio.",
            "objections": [
                {
                    "objection": "Ya tengo proveedor",
                    "answer": "Comparemos su factura actual: sin permanencia, puede probar.",
                },
                {
                    "objection": "No tengo tiempo",
                    "answer": "Son cinco minutos; ¿le llamo el jueves?",
                },
            ],
        },
        {
            "title": "Company introduction",
            "language": "en",
            "body": "Who we are: over 20 years, local service and a personal account manager.",
            "objections": [
                {
                    "objection": "I already have a supplier",
                    "answer": "Let us compare your current bill: no lock-in, try it.",
                }
            ],
        },
        {
            "title": "Pymes: una sola factura",
            "language": "es",
            "segment": "organisation",
            "body": "Todo en una factura: fibra, móviles y centralita. Un gestor para la empresa.",
            "objections": [
                {"objection": "Es más caro", "answer": "Sume lo que paga hoy por separado."}
            ],
        },
    ]
    if product is not None:
        scripts.append(
            {
                "title": f"{product.name}: argumentos clave",
                "language": "es",
                "product_id": product.pk,
                "body": f"Qué resuelve {product.name}, para quién y por qué ahora.",
                "objections": [
                    {"objection": "Lo pensaré", "answer": "La promoción acaba a fin de mes."}
                ],
            }
        )
    if negotiation is not None:
        scripts.append(
            {
                "title": "Cierre de la negociación",
                "stage_id": negotiation.pk,
                "body": "Resume los beneficios acordados, confirma el decisor y la fecha de firma.",
                "objections": [
                    {
                        "objection": "Necesito un descuento mayor",
                        "answer": "Ofrece financiación antes que descuento.",
                    }
                ],
            }
        )
    for data in scripts:
        script_create(by=None, **data)
    return len(scripts)


def _categories() -> None:
    """Forecast categories for the demo stages, unless someone already chose them."""
    for name, category in STAGE_CATEGORIES.items():
        Stage.objects.filter(name=name, forecast_category=Stage.ForecastCategory.PIPELINE).update(
            forecast_category=category
        )


@transaction.atomic
def agenda_demo_ensure(*, today: datetime.date | None = None, seed: int = 11) -> int:
    """A working week (Monday to Friday of ``today``'s week) for each rep, once. Returns
    how many agenda items were made."""
    _categories()
    _scripts()
    if Activity.objects.exists():
        return 0
    rng = random.Random(seed)
    today = today or timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    now = timezone.now()
    made = 0
    for rep in User.objects.filter(role=Role.SALES_REP, is_active=True).order_by("id"):
        customers = list(Customer.objects.filter(owner=rep).order_by("id")[:40])
        opportunities = list(
            Opportunity.objects.filter(owner=rep, status=Opportunity.Status.OPEN).order_by("id")[
                :20
            ]
        )
        if not customers and not opportunities:
            continue
        for offset in range(5):
            day = monday + datetime.timedelta(days=offset)
            for kind, subject, hour, minutes, outcome in rng.sample(SLOTS, 3):
                starts_at = timezone.make_aware(
                    datetime.datetime.combine(day, datetime.time(hour, rng.choice((0, 30))))
                )
                links: dict = {}
                if opportunities and rng.random() < 0.5:
                    links["opportunity_id"] = rng.choice(opportunities).pk
                elif customers:
                    links["customer_id"] = rng.choice(customers).pk
                item = activity_plan(
                    by=None,
                    owner=rep,
                    kind=kind,
                    subject=subject,
                    starts_at=starts_at,
                    duration_minutes=minutes,
                    reminder_minutes=15 if kind in ("call", "visit") else None,
                    **links,
                )
                made += 1
                # The days gone are logged (except a few left overdue for the agenda).
                if item.ends_at < now and rng.random() < 0.85:
                    activity_complete(by=None, activity_id=item.pk, outcome=outcome or "Hecho.")
    return made
