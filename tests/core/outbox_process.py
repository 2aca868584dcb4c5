"""A process of its own for the outbox's kill test: ``python -m tests.core.outbox_process
emit N`` emits N events with a durable subscriber listening; ``... dispatch`` delivers
them in batches of 50, the handler writing one audit row per event and taking 20 ms."""

import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "panorama.config.settings.base")
django.setup()

from django.db import transaction  # noqa: E402

from panorama.core import outbox  # noqa: E402
from panorama.core.events import emit  # noqa: E402
from panorama.core.models import AuditEvent  # noqa: E402


def handler(name, payload, event_id):
    AuditEvent.objects.create(kind="login", username=f"outbox:{event_id}")
    time.sleep(0.02)


outbox.subscribe_durable("proc.audit", ["group.created"], handler)

if sys.argv[1] == "emit":
    with transaction.atomic():
        for n in range(int(sys.argv[2])):
            emit("group.created", group_id=n, by=None)
else:
    print("dispatching", flush=True)
    outbox.outbox_dispatch(batch=50)
    print("dispatched", flush=True)
