"""``panorama events``: the catalogue of domain events as Markdown (docs/events.md)."""

from django.core.management.base import BaseCommand

from panorama.core.events import catalogue_markdown


class Command(BaseCommand):
    help = "Print the catalogue of domain events as Markdown (regenerates docs/events.md)."

    def handle(self, *args, **options) -> None:
        self.stdout.write(catalogue_markdown(), ending="")
