"""``panorama seed --customers N --seed S``: deterministic synthetic customers, fast."""

from django.core.management.base import BaseCommand, CommandError

from panorama.seeding.run import seed_customers
from panorama.seeding.sales_opportunities import seed_opportunities
from panorama.seeding.staff import staff_ensure


class Command(BaseCommand):
    help = "Add N synthetic customers (same seed, same data) and the demo teams and users."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--interactions-per-customer", type=int, default=5)
        parser.add_argument(
            "--rich-every",
            type=int,
            default=0,
            help="Every Nth customer gets --rich-interactions contacts (0: none).",
        )
        parser.add_argument("--rich-interactions", type=int, default=20)
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument(
            "--cases", type=int, default=0, help="Also N service cases over the customers."
        )
        parser.add_argument(
            "--opportunities",
            type=int,
            default=None,
            help="Opportunities over the new customers (default: 2 per customer).",
        )

    def handle(
        self,
        *args,
        customers,
        seed,
        interactions_per_customer,
        rich_every,
        rich_interactions,
        batch_size,
        cases,
        opportunities,
        verbosity,
        **options,
    ):
        if customers < 0 or interactions_per_customer < 0 or batch_size < 1 or cases < 0:
            raise CommandError(
                "--customers, --interactions-per-customer, --batch-size and --cases must be "
                "positive."
            )
        staff = staff_ensure()
        step = max(customers // 10, batch_size)
        shown = [0]

        def progress(made: int, total: int, rows: int, seconds: float) -> None:
            if verbosity and (made - shown[0] >= step or made == total):
                shown[0] = made
                self.stdout.write(
                    f"  {made:>9,}/{total:,} customers  {rows:>11,} rows  {seconds:6.1f} s"
                    f"  ({rows / max(seconds, 1e-9):,.0f} rows/s)"
                )

        result = seed_customers(
            count=customers,
            seed=seed,
            staff=staff,
            interactions_per_customer=interactions_per_customer,
            rich_every=rich_every,
            rich_interactions=rich_interactions,
            batch_size=batch_size,
            progress=progress,
        )
        if verbosity:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Seeded {result.customers:,} customers ({result.rows:,} rows) in "
                    f"{result.seconds:.1f} s: {result.rows_per_s:,.0f} rows/s."
                )
            )
        if cases:
            from panorama.seeding.service_demo import service_demo_ensure

            made = service_demo_ensure(cases=cases, seed=seed, messages=cases <= 5000)
            if verbosity:
                self.stdout.write(self.style.SUCCESS(f"Seeded {made:,} service cases."))
        wanted = 2 * result.customers if opportunities is None else max(opportunities, 0)
        if wanted and result.first_id is not None and result.last_id is not None:
            made = seed_opportunities(
                count=wanted, seed=seed, customer_ids=(result.first_id, result.last_id)
            )
            if verbosity:
                self.stdout.write(self.style.SUCCESS(f"Seeded {made:,} opportunities."))
