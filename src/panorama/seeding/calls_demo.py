"""Call management in the demo: a PBX, extensions for the service agents and the admin
(100), a day of calls (some on the timeline, one missed) and callback requests, one of
them overdue for the worker's sweep. Each part is created once."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from panorama.accounts.models import User
from panorama.customers.models import Identity
from panorama.service.models import Call, CallbackRequest, Extension, Pbx, Queue
from panorama.service.services.call import call_event_receive
from panorama.service.services.callback import callback_request_create
from panorama.service.services.pbx_requests import signature_for

PBX_NAME = "Centralita (demo)"
EXTENSIONS = (
    ("admin", "100"),
    ("agent", "101"),
    ("agent.fibra", "102"),
    ("agent.facturas", "103"),
    ("supervisor", "104"),
)
WRAP_UPS = ("CONSULTA", "AVERIA", "FACTURA", "VENTA")


def _post(pbx: Pbx, body: dict) -> None:
    import json

    raw = json.dumps(body).encode()
    call_event_receive(pbx_id=pbx.pk, body=raw, signature=signature_for(pbx.secret, raw))


@transaction.atomic
def calls_demo_ensure(seed: int = 11) -> Pbx | None:
    """The demo's PBX and its calls; None when the service agents are not there yet."""
    users = {u.username: u for u in User.objects.filter(username__in=[n for n, _e in EXTENSIONS])}
    if "agent" not in users:
        return None
    pbx, created = Pbx.objects.get_or_create(name=PBX_NAME)
    for username, number in EXTENSIONS:
        if username in users:
            Extension.objects.get_or_create(
                pbx=pbx, number=number, defaults={"user": users[username]}
            )
    if not created or Call.objects.filter(pbx=pbx).exists():
        return pbx
    rng = random.Random(seed)
    phones = list(
        Identity.objects.filter(kind="phone", customer__merged_into__isnull=True)
        .order_by("id")
        .values_list("value", flat=True)[:40]
    )
    now = timezone.now()
    for n, phone in enumerate(phones[:12]):
        extension = rng.choice(["101", "102", "103"])
        call_id = f"demo-{n}"
        start = now - timedelta(hours=rng.randint(1, 30), minutes=rng.randint(0, 59))
        _post(
            pbx,
            {
                "event": "ringing",
                "call_id": call_id,
                "caller": phone,
                "extension": extension,
                "timestamp": start.isoformat(),
            },
        )
        if n % 5 == 4:
            _post(
                pbx,
                {
                    "event": "ended",
                    "call_id": call_id,
                    "outcome": "missed",
                    "timestamp": (start + timedelta(seconds=25)).isoformat(),
                },
            )
            continue
        _post(
            pbx,
            {
                "event": "answered",
                "call_id": call_id,
                "timestamp": (start + timedelta(seconds=8)).isoformat(),
            },
        )
        _post(
            pbx,
            {
                "event": "ended",
                "call_id": call_id,
                "duration": rng.randint(40, 900),
                "wrap_up": rng.choice(WRAP_UPS),
                "timestamp": (start + timedelta(minutes=10)).isoformat(),
            },
        )
    queue = Queue.objects.filter(name="Facturación").first() or Queue.objects.first()
    reasons = (
        "Dudas con la factura",
        "Quiere cambiar de tarifa",
        "Avería sin resolver",
        "Portabilidad",
    )
    for n, phone in enumerate(phones[12:18]):
        callback_request_create(
            by=None,
            source=("webform", "ivr", "portal")[n % 3],
            phone=phone,
            reason=reasons[n % len(reasons)],
            queue_id=queue.pk if queue else None,
            window_start=now + timedelta(hours=n),
            window_end=now + timedelta(hours=n + 2),
        )
    # One already late: the worker's sweep escalates it and mails the queue's manager.
    if phones[18:19]:
        late = callback_request_create(
            by=None,
            source="ivr",
            phone=phones[18],
            reason="Llamar antes de las 10",
            queue_id=queue.pk if queue else None,
        )
        CallbackRequest.objects.filter(pk=late.pk).update(
            window_start=now - timedelta(hours=4), window_end=now - timedelta(hours=2)
        )
    return pbx
