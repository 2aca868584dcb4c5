"""``panorama warehouse build`` (full), ``refresh`` (what changed since the last load),
``export`` (Parquet), ``spark`` (the marts, RFM and basket counts on Spark over the
Parquet export), ``status``."""

import json

from django.core.management.base import BaseCommand, CommandError

from panorama.core.exceptions import DomainError


class Command(BaseCommand):
    help = "Build or refresh the analytical warehouse (DuckDB), export it, run it on Spark."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("build", help="Load every table from scratch.")
        sub.add_parser("refresh", help="Load only what changed since the last load.")
        sub.add_parser("export", help="Write every table as Parquet beside the warehouse.")
        spark = sub.add_parser("spark", help="Run the Spark jobs on the Parquet export.")
        spark.add_argument("--check", action="store_true", help="Compare with DuckDB.")
        sub.add_parser("status", help="Print the last load's status as JSON.")

    def handle(self, *args, action: str, **options):
        from panorama.analytics.warehouse import load, parquet, status

        try:
            if action in ("build", "refresh"):
                run = load.warehouse_build if action == "build" else load.warehouse_refresh
                result = run(progress=self._progress)
                self.stdout.write(load.load_summary(result))
            elif action == "export":
                self.stdout.write(str(parquet.export_all()))
            elif action == "spark":
                from panorama.analytics.warehouse import spark

                self.stdout.write(json.dumps(spark.spark_run(check=options["check"]), indent=2))
            else:
                self.stdout.write(json.dumps(status.read(), indent=2))
        except DomainError as exc:
            raise CommandError(str(exc)) from exc

    def _progress(self, step: str, done: int, total: int) -> None:
        self.stderr.write(f"[{done + 1}/{total}] {step}")
