"""The bench database: where it lives, seeding it once, and putting it back as seeded."""

import json
import urllib.parse
from dataclasses import asdict, dataclass
from pathlib import Path

import dj_database_url
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from panorama.accounts.models import Role, User
from panorama.accounts.services import api_token_create
from panorama.channels.models import Interaction
from panorama.core.bulk_session import analyse
from panorama.customers.models import Customer
from panorama.seeding.run import seed_customers
from panorama.seeding.showcase import showcase_ensure
from panorama.seeding.staff import staff_ensure

BENCH_USERNAME = "bench"


def default_url(customers: int) -> str:
    return f"sqlite:///{settings.VAR_DIR / f'bench-{customers}.sqlite3'}"


def postgres_create_database(url: str) -> None:
    """Create the PostgreSQL database of ``url`` if it does not exist yet."""
    import psycopg

    config = dj_database_url.parse(url)
    name = config["NAME"]
    admin = psycopg.connect(
        host=config.get("HOST") or "127.0.0.1",
        port=config.get("PORT") or 5432,
        user=config.get("USER") or "postgres",
        password=config.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )
    with admin:
        found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not found:
            admin.execute(f'CREATE DATABASE "{name}"')  # name from the operator's own URL


def meta_path(url: str) -> Path:
    """Where the description of the seeded state is kept (next to the SQLite file)."""
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme.startswith("sqlite"):
        return Path(parsed.path + ".json")
    key = urllib.parse.quote(f"{parsed.hostname}-{parsed.port}-{parsed.path.strip('/')}", safe="")
    return settings.VAR_DIR / f"bench-{key}.json"


@dataclass
class Seeded:
    seed: int
    customers: int
    interactions_per_customer: int
    last_customer_id: int
    last_interaction_id: int
    showcase_id: int


def _read_meta(path: Path) -> Seeded | None:
    try:
        return Seeded(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None


def bench_database_ready(
    *, url: str, customers: int, seed: int, interactions: int, say=print
) -> Seeded:
    """Seed the bench database unless it already holds this seeding; in that case only
    remove what earlier bench runs added, so each run measures the same data."""
    call_command("migrate", verbosity=0, interactive=False)
    path = meta_path(url)
    meta = _read_meta(path)
    wanted = (seed, customers, interactions)
    if (
        meta
        and (meta.seed, meta.customers, meta.interactions_per_customer) == wanted
        and Customer.objects.filter(pk=meta.last_customer_id).exists()
    ):
        extra = Customer.objects.filter(pk__gt=meta.last_customer_id)
        # Interactions too, also of seeded customers (no seeding after the customers
        # adds any: what is past the seeded ones came from a bench run).
        added = Interaction.objects.filter(pk__gt=meta.last_interaction_id)
        if extra.exists() or added.exists():
            say("Removing the customers and interactions added by the previous bench run...")
            added.delete()
            extra.delete()
            if connection.vendor == "postgresql":
                # Else autovacuum cleans up those rows while the first figures are taken.
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM")
        analyse()
        say(f"Reusing the seeded bench database ({customers:,} customers, seed {seed}).")
        return meta
    if Customer.objects.exists():
        say("The bench database holds other data: emptying it.")
        call_command("flush", interactive=False, verbosity=0)
    say(f"Seeding {customers:,} customers (seed {seed})...")
    staff = staff_ensure()

    def progress(made, total, rows, seconds):
        if made == total or made % max(total // 10, 5000) < 5000:
            say(f"  {made:>9,}/{total:,} customers  {rows:>11,} rows  {seconds:6.1f} s")

    result = seed_customers(
        count=customers,
        seed=seed,
        staff=staff,
        interactions_per_customer=interactions,
        progress=progress,
    )
    say(f"Seeded in {result.seconds:.1f} s ({result.rows_per_s:,.0f} rows/s).")
    showcase = showcase_ensure(staff=staff, interactions=200)
    meta = Seeded(
        seed=seed,
        customers=customers,
        interactions_per_customer=interactions,
        last_customer_id=Customer.objects.order_by("-pk").values_list("pk", flat=True)[0],
        last_interaction_id=Interaction.objects.order_by("-pk").values_list("pk", flat=True)[0],
        showcase_id=showcase,
    )
    path.write_text(json.dumps(asdict(meta)))
    return meta


def settle() -> None:
    """After seeding: PostgreSQL vacuums and analyses every table (the visibility map
    lets the board's and identify's index-only scans skip the heap); SQLite analyses."""
    if connection.vendor != "postgresql":
        analyse()
        return
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")


def bench_token() -> tuple[User, str]:
    user = User.objects.filter(username=BENCH_USERNAME).first()
    if user is None:
        user = User(username=BENCH_USERNAME, role=Role.ADMIN, first_name="Bench")
        user.set_unusable_password()
        user.save()
    _token, key = api_token_create(user=user, name="bench")
    return user, key
