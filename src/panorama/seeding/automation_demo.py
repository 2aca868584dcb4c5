"""The demo's automation: a tracked web site, a few business rules (the mortgage rule
of the seeds' example among them), web visits of some customers (a few of them
mortgage simulations, which the rule turns into alerts and calls through the outbox, as
the worker would), and their visits summarised on the timelines."""

import datetime
import random
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from panorama.automation.models import Rule, TrackedSite
from panorama.automation.services.rules import rule_save
from panorama.automation.services.tracking import events_ingest, link_token, web_summarise
from panorama.core.outbox import outbox_dispatch
from panorama.customers.models import Customer

from .showcase import showcase_customer_id

MORTGAGE_RULE: dict[str, Any] = {
    "name": "Simulación de hipoteca",
    "description": "Un cliente simula una hipoteca de 100.000 € o más en la web: alerta a "
    "su gestor y le propone una llamada mañana a las 9.",
    "trigger": "event",
    "event": "web.event_tracked",
    "conditions": {
        "all": [
            {"field": "event.name", "op": "eq", "value": "mortgage_simulation"},
            {"field": "event.data.amount", "op": "gte", "value": 100000},
        ]
    },
    "actions": [
        {
            "type": "alert",
            "to": "owner",
            "title": "Simulación de hipoteca de {event.data.amount} €",
            "body": "Plazo {event.data.term} años, tipo {event.data.rate} %.",
            "priority": 3,
            "expires_in_days": 7,
        },
        {
            "type": "agenda",
            "kind": "call",
            "subject": "Llamar por la simulación de hipoteca",
            "in_days": 1,
            "at": "09:00",
        },
    ],
}
OTHER_RULES: list[dict[str, Any]] = [
    {
        "name": "Caso escalado: alerta al equipo",
        "trigger": "event",
        "event": "case.escalated",
        "actions": [
            {"type": "alert", "to": "team", "title": "Caso escalado", "priority": 3},
        ],
    },
    {
        "name": "Cliente nuevo: llamada de bienvenida",
        "trigger": "event",
        "event": "customer.created",
        "conditions": {"field": "customer.owner_id", "op": "exists"},
        "actions": [
            {
                "type": "agenda",
                "kind": "call",
                "subject": "Llamada de bienvenida",
                "in_days": 2,
                "at": "10:00",
            }
        ],
    },
    {
        "name": "Revisión diaria: sin consentimiento de marketing",
        "trigger": "schedule",
        "schedule_time": "08:00",
        "conditions": {
            "all": [
                {"field": "customer.status", "op": "eq", "value": "active"},
                {"not": {"field": "consent.marketing", "op": "eq", "value": True}},
            ]
        },
        "actions": [
            {
                "type": "alert",
                "to": "owner",
                "title": "Pedir el consentimiento de marketing",
                "priority": 1,
                "expires_in_days": 1,
            }
        ],
        "active": False,
    },
]
PAGES = ["/", "/hipotecas", "/cuentas", "/tarjetas", "/seguros", "/ahorro"]


def _site() -> TrackedSite:
    port = getattr(settings, "PANORAMA_DEMO_PORT", 8000)
    return TrackedSite.objects.create(
        name="Web del banco",
        origins=f"http://127.0.0.1:{port}\nhttp://localhost:{port}",
        require_consent=True,
    )


def automation_demo_ensure(*, visitors: int = 40, seed: int = 7) -> int:
    """Once (nothing if rules exist): the site, the rules, ``visitors`` customers'
    visits. Answers how many web events it wrote."""
    if Rule.objects.exists():
        return 0
    rng = random.Random(seed)
    with transaction.atomic():
        site = _site()
        for data in [MORTGAGE_RULE, *OTHER_RULES]:
            rule_save(by=None, data=data)
    ids = list(
        Customer.objects.filter(owner__isnull=False, merged_into__isnull=True)
        .order_by("id")
        .values_list("id", flat=True)[: visitors * 3]
    )
    chosen = rng.sample(ids, min(visitors, len(ids)))
    showcase = showcase_customer_id()
    if showcase is not None and showcase not in chosen:
        chosen.insert(0, showcase)
    made = 0
    now = timezone.now()
    for number, customer_id in enumerate(chosen):
        at = now - datetime.timedelta(days=rng.randint(1, 6), minutes=rng.randint(0, 600))
        events: list[dict] = [
            {"name": "page_view", "url": f"https://www.banco.example{rng.choice(PAGES)}"}
            for _ in range(rng.randint(2, 8))
        ]
        if customer_id == showcase or number % 4 == 0:
            amount = rng.choice([120000, 180000, 250000, 90000, 300000])
            events.append(
                {
                    "name": "mortgage_simulation",
                    "url": "https://www.banco.example/hipotecas/simulador",
                    "data": {"amount": amount, "term": rng.choice([20, 25, 30]), "rate": 2.9},
                }
            )
        body = {"visitor": f"demo-visitor-{customer_id:08d}", "link": link_token(customer_id)}
        made += events_ingest(site=site, body={**body, "events": events}, now=at)
    outbox_dispatch()  # what the worker does: the mortgage rule raises its alerts
    web_summarise()
    return made
