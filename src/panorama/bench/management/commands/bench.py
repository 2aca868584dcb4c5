"""``panorama bench --customers N``: measure the core loop through real HTTP.

The bench never touches the main database: it re-runs itself with ``DATABASE_URL``
pointing at the bench database (a SQLite file under var/, or --database-url), seeds it
once, serves it with granian like production and times identify, the ficha, the list,
search, create, import and a mixed load.
"""

import json
import os
import random
import statistics
import subprocess
import sys
import uuid
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from panorama.bench import automation as bench_automation
from panorama.bench import burst as bench_burst
from panorama.bench import calls as bench_calls
from panorama.bench import cases as bench_cases
from panorama.bench import clv as bench_clv
from panorama.bench import leads_import as bench_leads_import
from panorama.bench import mail as bench_mail
from panorama.bench import marketing as bench_marketing
from panorama.bench import measure, pipeline, prepare, raw
from panorama.bench import orders_import as bench_orders_import
from panorama.bench import outbox as bench_outbox
from panorama.bench import quotes as bench_quotes
from panorama.bench import sales_orders as bench_sales_orders
from panorama.bench import scores as bench_scores
from panorama.bench import ui as bench_ui
from panorama.bench import warehouse as bench_warehouse
from panorama.bench.parts import JSON_KEYS, PARTS, Steps, free_port, parts_of, wait_healthy
from panorama.core.management.commands.serve import granian_command, stop
from panorama.customers.imports.services.run import BATCH_SIZE as IMPORT_BATCH

REQUESTS = 300
# Service cases in the bench database (seeded once): the queue page and the SLA sweep.
CASES = int(os.environ.get("PANORAMA_BENCH_CASES", 300_000))
IMPORT_RUNS = 3


class Command(BaseCommand):
    help = "Seed a separate bench database and measure the API through the production server."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--interactions-per-customer", type=int, default=5)
        parser.add_argument("--json", dest="json_path", default="")
        parser.add_argument("--database-url", default="")
        parser.add_argument(
            "--duration", type=float, default=20.0, help="Seconds of the mixed load."
        )
        parser.add_argument("--clients", type=int, default=8)
        parser.add_argument(
            "--only",
            default="",
            help="Comma-separated parts to measure (default all): " + ", ".join(PARTS) + ".",
        )
        parser.add_argument("--in-bench-db", action="store_true", help="(internal)")

    def handle(self, *args, **options):
        unknown = set(parts_of(options["only"])) - set(PARTS)
        if unknown:
            raise CommandError(f"--only: unknown part(s) {', '.join(sorted(unknown))}.")
        if options["in_bench_db"]:
            return self.run_bench(**options)
        url = options["database_url"] or prepare.default_url(options["customers"])
        if url.startswith(("postgres://", "postgresql://")):
            prepare.postgres_create_database(url)
        elif not url.startswith("sqlite:"):
            raise CommandError("--database-url must be a sqlite:// or postgresql:// URL.")
        command = [
            sys.executable,
            "-m",
            "panorama.cli",
            "bench",
            "--in-bench-db",
            "--customers",
            str(options["customers"]),
            "--seed",
            str(options["seed"]),
            "--interactions-per-customer",
            str(options["interactions_per_customer"]),
            "--duration",
            str(options["duration"]),
            "--clients",
            str(options["clients"]),
            "--database-url",
            url,
        ]
        if options["only"]:
            command += ["--only", options["only"]]
        if options["json_path"]:
            command += ["--json", str(Path(options["json_path"]).resolve())]
        env = {**os.environ, "DATABASE_URL": url}
        code = subprocess.call(command, env=env)  # noqa: S603 - our own command line
        if code:
            raise CommandError(f"The bench failed (exit code {code}).")

    def say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    def run_bench(
        self,
        *,
        customers,
        seed,
        interactions_per_customer,
        json_path,
        database_url,
        duration,
        clients,
        only,
        **options,
    ):
        steps = Steps(self.say)
        with steps("customers"):
            meta = prepare.bench_database_ready(
                url=database_url,
                customers=customers,
                seed=seed,
                interactions=interactions_per_customer,
                say=self.say,
            )
        wanted = set(parts_of(only) or PARTS)
        with steps("opportunities"):
            pipeline.opportunities_ready(customers=customers, seed=seed, say=self.say)
        if "warehouse" in wanted:
            with steps("orders"):
                bench_sales_orders.orders_ready(customers=customers, seed=seed, say=self.say)
        with steps("cases"):
            self.say(f"Cases: {bench_cases.cases_ready(CASES):,}.")
        # Every seeded table vacuumed and analysed before the first figure (PostgreSQL:
        # else autovacuum runs during the identify and board figures and index-only
        # scans visit the heap); the pages' CSS and JS collected, as `panorama serve` does.
        with steps("settle"):
            prepare.settle()
        call_command("collectstatic", interactive=False, verbosity=0)
        user, key = prepare.bench_token()
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        env = {**os.environ, "PANORAMA_QUERY_COUNT_HEADER": "1"}
        server = subprocess.Popen(  # noqa: S603
            granian_command(host="127.0.0.1", port=port, workers=2, threads=8), env=env
        )
        try:
            wait_healthy(base_url, server)
            results = self.measure_all(base_url, key, meta, user, duration, clients, wanted)
        finally:
            stop([server])
        results["database"] = connection.vendor  # sqlite or postgresql
        results["customers"] = customers
        self.report(results)
        if json_path:
            keys = JSON_KEYS
            figures = {k: results[k] for k in keys if k in results}
            Path(json_path).write_text(json.dumps(figures, indent=2) + "\n")
            self.say(f"Wrote {json_path}")

    def measure_all(self, base_url, key, meta, user, duration, clients, wanted) -> dict:
        rng = random.Random(meta.seed)
        last = meta.last_customer_id
        out: dict = {}
        client = measure.Connection(base_url, key)
        # identify's values feed the mixed load too: drawn first whatever is measured.
        values = measure.identify_values(rng, count=REQUESTS, last_id=last)
        try:
            if "identify" in wanted:
                self.say("Measuring identify...")
                times, _q = measure.timed(
                    client,
                    [measure.get("/api/v1/identify", {"value": v}) for v in values],
                )
                out["identify_p50_ms"] = round(measure.p50(times), 2)
                out["identify_p95_ms"] = round(measure.percentile(times, 95), 2)

            if "360" in wanted:
                self.say("Measuring the 360 view...")
                url = f"/api/v1/customers/{meta.showcase_id}/360"
                times, counts = measure.timed(client, [lambda c: c.get(url)] * REQUESTS)
                out["customer360_p50_ms"] = round(measure.p50(times), 2)
                out["customer360_queries"] = max(counts) if counts else None

            if "list" in wanted:
                self.say("Measuring the customer list...")
                times, counts = measure.timed(
                    client, [lambda c: c.get("/api/v1/customers")] * REQUESTS
                )
                out["customer_list_p50_ms"] = round(measure.p50(times), 2)
                out["customer_list_queries"] = max(counts) if counts else None

            if wanted & {"cases", "sla"}:
                out["cases"] = bench_cases.cases_ready(CASES)
            if "cases" in wanted:
                self.say("Measuring the case queue...")
                out["case_queue_p50_ms"], out["case_queue_queries"] = bench_cases.case_queue(
                    base_url, user, REQUESTS
                )
            if "sla" in wanted:
                self.say("Measuring the SLA sweep...")
                out["sla_sweep_s"], swept = bench_cases.sla_sweep_seconds()
                out["sla_sweep_cpu_s"] = swept["cpu_s"]
                out["sla_sweep_wait_s"] = swept.get("wait_s")
                out["sla_sweep_escalated"] = swept["escalated"]
                out["sla_sweep_warned"] = swept["warned"]
                out["sla_recount_s"] = swept["recount_s"]
                out["sla_recount_tasks"] = swept["recount_tasks"]
                out["sla_recounted"] = swept["recounted"]
                out["sla_longest_transaction_s"] = swept["longest_transaction_s"]

            if "screenpop" in wanted:
                self.say("Measuring the screen pop (webhook → the agent's stream)...")
                out["screen_pop_ms"] = bench_calls.screen_pop(base_url)

            if "outbox" in wanted:
                self.say("Measuring the outbox (events delivered to a no-op subscriber)...")
                out["outbox_events_per_s"] = bench_outbox.events_per_second()

            if "search" in wanted:
                self.say("Measuring search...")
                prefixes = measure.name_prefixes(rng, count=REQUESTS, last_id=last)
                times, _q = measure.timed(
                    client,
                    [measure.get("/api/v1/customers", {"search": p}) for p in prefixes],
                )
                out["search_p50_ms"] = round(measure.p50(times), 2)

            run = uuid.uuid4().hex[:8]
            if "create" in wanted:
                self.say("Measuring create...")
                times, _q = measure.timed(
                    client,
                    [
                        measure.post("/api/v1/customers", measure.new_customer(f"{run}-{n}"))
                        for n in range(REQUESTS + measure.WARM_UP)
                    ],
                )
                out["create_customer_p50_ms"] = round(measure.p50(times), 2)

            if "board" in wanted:
                out.update(pipeline.measure_all(client, rng, self.say))
            if "ui" in wanted:
                out.update(
                    bench_ui.measure_all(
                        base_url, user, REQUESTS, self.say, customer_id=meta.showcase_id
                    )
                )
            if "quotes" in wanted:
                out.update(bench_quotes.measure_all(self.say))
            if "mail" in wanted:
                out.update(bench_mail.measure_all(self.say))
            if "automation" in wanted:
                out.update(bench_automation.measure_all(base_url, clients, self.say))
            if "burst" in wanted:
                out.update(
                    bench_burst.measure_all(
                        base_url, user, meta.showcase_id, REQUESTS, clients, self.say
                    )
                )
            if "marketing" in wanted:
                out.update(bench_marketing.measure_all(self.say))
            if "clv" in wanted:
                out.update(bench_clv.measure_all(self.say))
            if "warehouse" in wanted:
                with Steps(self.say)("warehouse"):
                    out.update(bench_warehouse.measure_all(self.say))
            if "scores" in wanted:
                out.update(bench_scores.measure_all(self.say))
            if "orders" in wanted:
                out.update(bench_orders_import.measure_all(self.say))
            if "leads_import" in wanted:
                out.update(bench_leads_import.measure_all(self.say))
        finally:
            client.close()

        if "import" in wanted:
            out.update(self.measure_import(user, run))
        if "mixed" in wanted:
            self.say(f"Mixed load: {clients} clients for {duration:g} s...")
            mixed = measure.mixed_load(
                base_url=base_url,
                key=key,
                duration=duration,
                clients=clients,
                showcase_id=meta.showcase_id,
                identify=values,
                last_id=last,
            )
            out["requests_per_s_mixed"] = round(mixed["per_s"], 1)
            out["mixed_errors"] = mixed["errors"]
        return out

    def measure_import(self, user, run: str) -> dict:
        # One import lasts about a second, as long as a hiccup of this shared VM: the
        # median of three files (new customers each) is the figure, all three are shown.
        # Each import is followed by a raw write of the rows it created (raw.py): the
        # ratio of the two medians is the figure that compares across runs and machines.
        self.say("Measuring import (3 files of 20,000 rows), each with its raw write...")
        rates, raw_rates = [], []
        for attempt in range(IMPORT_RUNS):
            path = measure.import_csv(
                settings.VAR_DIR / "bench-import.csv", rows=20_000, tag=f"{run}-{attempt}"
            )
            rate, job_id = measure.import_rate(path=path, user=user)
            rates.append(round(rate))
            raw_rates.append(round(raw.raw_rate(job_id=job_id, batch_size=IMPORT_BATCH)))
        self.say("  import " + ", ".join(f"{rate:,}" for rate in rates) + " rows/s")
        writer = "COPY" if connection.vendor == "postgresql" else "executemany"
        self.say(f"  raw {writer} " + ", ".join(f"{rate:,}" for rate in raw_rates) + " rows/s")
        out: dict[str, float] = {
            "import_rows_per_s": round(statistics.median(rates)),
            "raw_rows_per_s": round(statistics.median(raw_rates)),
        }
        out["import_raw_ratio"] = round(out["import_rows_per_s"] / out["raw_rows_per_s"], 2)
        return out

    def report(self, results: dict) -> None:
        # Each row is built when its figures are there (--only measures some parts).
        rows = [
            lambda: (
                "identify p50 / p95",
                f"{results['identify_p50_ms']} / {results['identify_p95_ms']} ms",
                "p95 ≤ 5 ms",
            ),
            lambda: (
                "360 p50 (queries)",
                f"{results['customer360_p50_ms']} ms ({results['customer360_queries']})",
                "≤ 20 ms, bounded queries",
            ),
            lambda: (
                "list p50 (queries)",
                f"{results['customer_list_p50_ms']} ms ({results['customer_list_queries']})",
                "≤ 30 ms, ≤ 10 queries",
            ),
            lambda: ("search p50", f"{results['search_p50_ms']} ms", ""),
            lambda: (
                "case queue p50",
                f"{results['case_queue_p50_ms']} ms ({results['case_queue_queries']})",
                "",
            ),
            lambda: (
                "SLA sweep",
                f"{results['sla_sweep_s']} s ({results['cases']:,} cases, "
                f"{results['sla_sweep_escalated']:,} escalations; "
                f"{results['sla_sweep_cpu_s']} s of CPU, "
                f"{results['sla_sweep_wait_s']} s waiting for one)",
                "≤ 5 s",
            ),
            lambda: (
                "SLA recount (after the sweep)",
                f"{results['sla_recount_s']} s ({results['sla_recounted']:,} cases, "
                f"{results['sla_recount_tasks']} tasks; longest transaction "
                f"{results['sla_longest_transaction_s']} s)",
                "",
            ),
            lambda: ("screen pop p50", f"{results['screen_pop_ms']} ms", "≤ 300 ms (SSE)"),
            lambda: ("outbox delivery", f"{results['outbox_events_per_s']} events/s", "≥ 2,000/s"),
            lambda: ("web tracking", f"{results['web_events_per_s']} events/s", "≥ 3,000/s"),
            lambda: ("rules (50)", f"{results['rule_eval_events_per_s']} events/s", "≥ 2,000/s"),
            lambda: (
                "ficha p95 idle / burst",
                f"{results['staff_ui_p95_idle_ms']} / {results['staff_ui_p95_burst_ms']} ms",
                f"(burst: {results['staff_ui_burst_events_per_s']:,} events/s)",
            ),
            lambda: (
                "board p50 (queries)",
                f"{results['pipeline_board_p50_ms']} ms ({results['pipeline_board_queries']})",
                "≤ 50 ms, ≤ 10 queries",
            ),
            lambda: (
                "opportunity move p50",
                f"{results['opportunity_move_p50_ms']} ms ({results['opportunity_move_queries']})",
                "≤ 30 ms",
            ),
            lambda: ("list LCP (Chromium)", f"{results['ui_list_lcp_ms']} ms", "≤ 800 ms"),
            lambda: ("list layout shift (Chromium)", f"{results['ui_list_cls']}", "< 0.01"),
            lambda: (
                "ficha layout shift 1280 / 375 px (Chromium)",
                f"{results['ui_ficha_cls']} / {results['ui_ficha_cls_375']}",
                "< 0.01",
            ),
            lambda: (
                "palette p50 (queries)",
                f"{results['ui_palette_ms']} ms ({results['ui_palette_queries']})",
                "≤ 150 ms",
            ),
            lambda: (
                "page after row 5,000 ÷ 2nd",
                f"{results['ui_deep_page_ratio']} "
                f"({results.get('ui_deep_page_ms')} / {results.get('ui_second_page_ms')} ms)",
                "≤ 1.5",
            ),
            lambda: ("quote pricing p50", f"{results['quote_price_p50_ms']} ms", "≤ 20 ms"),
            lambda: ("quote PDF p50", f"{results['quote_pdf_p50_ms']} ms", "≤ 500 ms"),
            lambda: (
                "mail import (IMAP)",
                f"{results['mail_import_per_s']} messages/s"
                if results["mail_import_per_s"] is not None
                else "skipped (no Dovecot)",
                "≥ 100/s",
            ),
            lambda: (
                "segment count (3 rules)",
                f"{results['segment_count_ms']} ms ({results['segment_count_customers']:,})",
                "≤ 500 ms",
            ),
            lambda: ("campaign send", f"{results['campaign_send_per_s']} e-mails/s", "≥ 500/s"),
            lambda: ("unsubscribe p50", f"{results['unsubscribe_p50_ms']} ms", ""),
            lambda: (
                "CLV fit (CDNOW)",
                f"{results['clv_fit_s']} s (lifetimes {results['clv_fit_reference_s']} s)",
                "< 2 s, faster than lifetimes",
            ),
            lambda: ("warehouse build", f"{results['warehouse_build_s']} s", "< 60 s at 1M"),
            lambda: ("warehouse refresh 1%", f"{results['warehouse_refresh_s']} s", "< 10 s at 1M"),
            lambda: (
                "dashboard widget p95",
                f"{results['dashboard_widget_p95_ms']} ms",
                "< 200 ms",
            ),
            lambda: (
                "score write-back (5 models)",
                f"{results['segment_score_write_s']} s",
                "",
            ),
            lambda: bench_orders_import.report_row(results),
            lambda: bench_leads_import.report_row(results),
            lambda: ("create p50", f"{results['create_customer_p50_ms']} ms", ""),
            lambda: ("import", f"{results['import_rows_per_s']:,} rows/s", ""),
            lambda: (
                "import ÷ raw write",
                f"{results['import_raw_ratio']} (raw {results['raw_rows_per_s']:,} rows/s)",
                "≥ 0.5",
            ),
            lambda: (
                "mixed load",
                f"{results['requests_per_s_mixed']:,} req/s ({results['mixed_errors']} errors)",
                "≥ 200 req/s",
            ),
        ]
        self.say(f"\nPanorama bench: {results['customers']:,} customers on {results['database']}")
        for row in rows:
            try:
                name, value, target = row()
            except KeyError:
                continue
            self.say(f"  {name:<22} {value:<28} {target}")
