"""``panorama outbox``: deliver the pending domain events now (what the worker does every
second), ``--prune`` to delete the old delivered ones, ``--status`` for the counts."""

from django.core.management.base import BaseCommand
from django.db.models import Count, Q

from panorama.core import outbox
from panorama.core.models import OutboxDelivery


class Command(BaseCommand):
    help = "Deliver pending domain events to their durable subscribers (the outbox)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--prune", action="store_true", help="delete old delivered events")
        parser.add_argument("--status", action="store_true", help="print counts per subscriber")

    def handle(self, *, prune: bool, status: bool, **options) -> None:
        if status:
            rows = (
                OutboxDelivery.objects.values("subscriber")
                .annotate(
                    pending=Count("id", filter=Q(delivered_at__isnull=True, gave_up=False)),
                    delivered=Count("id", filter=Q(delivered_at__isnull=False)),
                    gave_up=Count("id", filter=Q(gave_up=True)),
                )
                .order_by("subscriber")
            )
            for row in rows:
                self.stdout.write(
                    f"{row['subscriber']}: {row['pending']} pending, "
                    f"{row['delivered']} delivered, {row['gave_up']} given up"
                )
            return
        done = outbox.outbox_dispatch()
        self.stdout.write(f"{done} deliveries attempted")
        if prune:
            self.stdout.write(f"{outbox.outbox_prune()} old events deleted")
