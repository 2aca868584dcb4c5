"""``panorama demo``: demo data once, and an administrator you can log in with."""

import os
import secrets

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from panorama.accounts.models import Role, User
from panorama.accounts.services import user_password_change
from panorama.core.exceptions import ValidationFailed
from panorama.core.management.commands.serve import default_port
from panorama.customers.models import Customer
from panorama.seeding.analytics_demo import analytics_demo_ensure
from panorama.seeding.automation_demo import automation_demo_ensure
from panorama.seeding.calls_demo import calls_demo_ensure
from panorama.seeding.catalog_demo import catalog_demo_ensure
from panorama.seeding.channels_demo import channels_demo_ensure
from panorama.seeding.chat_demo import chat_demo_ensure
from panorama.seeding.field_demo import field_demo_ensure
from panorama.seeding.knowledge_demo import knowledge_demo_ensure
from panorama.seeding.loyalty_demo import loyalty_demo_ensure
from panorama.seeding.mail_demo import mail_demo_ensure
from panorama.seeding.marketing_demo import marketing_demo_ensure
from panorama.seeding.quality_demo import quality_demo_ensure
from panorama.seeding.sales_agenda import agenda_demo_ensure
from panorama.seeding.sales_leads import DEMO_LEADS, leads_seed
from panorama.seeding.sales_opportunities import showcase_opportunities
from panorama.seeding.sales_quotes import showcase_quotes
from panorama.seeding.service_demo import service_demo_ensure
from panorama.seeding.showcase import showcase_ensure
from panorama.seeding.staff import staff_ensure

DEMO_CUSTOMERS = 3000


class Command(BaseCommand):
    help = "Seed the demo (only into an empty database) and make sure an admin can log in."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=DEMO_CUSTOMERS)
        parser.add_argument("--seed", type=int, default=42)
        # Leads are made one by one through the services (scoring, assignment): a
        # smaller demo (the browser test's) asks for fewer.
        parser.add_argument("--leads", type=int, default=DEMO_LEADS)
        # Only for the message: where `panorama serve` (or `make demo`) will answer.
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=default_port())

    def handle(self, *args, customers, seed, leads, host, port, verbosity, **options):
        if Customer.objects.exists():
            self.stdout.write("The database already has customers: nothing seeded.")
        else:
            self.stdout.write(f"Seeding {customers:,} demo customers...")
            call_command(
                "seed",
                customers=customers,
                seed=seed,
                rich_every=10,
                rich_interactions=20,
                verbosity=verbosity,
                stdout=self.stdout,
            )
            catalog_demo_ensure()  # products, options, price lists, promotions, financing
            staff = staff_ensure()
            showcase = showcase_ensure(staff=staff, interactions=200)
            leads_seed(
                team_ids=staff.team_ids, count=leads
            )  # sales: leads, their rules, a web form
            service_demo_ensure(cases=120)  # service: queues, SLA policies, cases
            knowledge_demo_ensure()  # service: the knowledge base and help centre, es/en
            field_demo_ensure()  # service: technicians, assets, contracts, work orders, parts
            quality_demo_ensure()  # service: defects per product, satisfaction answers
            showcase_opportunities(showcase)  # sales: opportunities in several stages
            agenda_demo_ensure()  # sales: a week of agenda per rep, scripts
            showcase_quotes(showcase)  # sales: quotes (one pending approval) and orders
            mail_demo_ensure()  # channels: a case mailbox and its ledger, an unknown sender
            channels_demo_ensure()  # channels: identity, templates, SMS, a fax, a branch
            automation_demo_ensure()  # automation: rules, a tracked site, web visits, alerts
            chat_demo_ensure()  # channels: a closed chat on the showcase's timeline, a queue
            marketing_demo_ensure()  # marketing: segments, a list, a campaign sent with results
            loyalty_demo_ensure()  # loyalty: a programme with tiers, rules, rewards, members
            # analytics: an imported order history, the models' scores, the warehouse built
            demo = analytics_demo_ensure(buyers=max(30, customers // 12))
            if demo is not None:
                self.stdout.write(
                    f"Order history: {demo.orders:,} orders ({demo.rows:,} rows) of "
                    f"{demo.buyers:,} customers; models: "
                    + ", ".join(f"{k} {v}" for k, v in demo.models.items())
                    + f"; warehouse: {demo.warehouse}"
                )
        password = self._ensure_admin()
        pbx = calls_demo_ensure()  # service: a PBX, extensions (admin: 100), calls, callbacks
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"Panorama is ready. Start it with `panorama serve --host {host} --port {port}` "
                f"and open http://{host}:{port}/"
            )
        )
        if pbx is not None:
            self.stdout.write(
                f"  Simulated phone calls: PBX {pbx.pk}, extension 100 rings the admin "
                "(docs/pbx.md shows the curl command; the secret is in Administration → PBXs)."
            )
        if password is None:
            self.stdout.write(
                "The user 'admin' already exists with a password. "
                "To reset it: panorama changepassword admin"
            )
        else:
            self.stdout.write(f"  user:     admin\n  password: {password}")
            if "PANORAMA_ADMIN_PASSWORD" not in os.environ:
                self.stdout.write("  (generated now and shown only once: note it down)")

    def _ensure_admin(self) -> str | None:
        """Create ``admin`` or give it a password if it has none; the password set, or None."""
        user = User.objects.filter(username="admin").first()
        if user is not None and user.has_usable_password():
            return None
        if user is None:
            user = User(username="admin", email="admin@example.com", first_name="Admin")
        user.role = Role.ADMIN
        user.is_staff = user.is_superuser = user.is_active = True
        if user.pk is None:
            user.set_unusable_password()
        user.save()
        password = os.environ.get("PANORAMA_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        # Through the accounts service, like every other path that sets a password: the
        # policy applies (a weak PANORAMA_ADMIN_PASSWORD is refused) and it is audited.
        try:
            user_password_change(user=user, password=password, by=None)
        except ValidationFailed as exc:
            raise CommandError(f"PANORAMA_ADMIN_PASSWORD: {exc.message}") from exc
        return password
