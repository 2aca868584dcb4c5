"""What a bench run is made of: its parts (``--only``), the keys of its JSON file in
order, and the helpers that start and wait for the production server it measures."""

import os
import resource
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
from django.core.management.base import CommandError

from . import burst as bench_burst
from . import leads_import as bench_leads_import
from . import orders_import as bench_orders_import

# The parts of a run, for --only (a reused database: measure one figure again quickly).
PARTS = (
    "identify",
    "360",
    "list",
    "cases",
    "sla",
    "screenpop",
    "outbox",
    "search",
    "create",
    "board",
    "ui",
    "quotes",
    "mail",
    "automation",
    "burst",
    "marketing",
    "clv",
    "warehouse",
    "scores",
    "orders",
    "leads_import",
    "import",
    "mixed",
)


# The figures written to the JSON file (--json), in this order.
JSON_KEYS = [
    "identify_p50_ms",
    "identify_p95_ms",
    "customer360_p50_ms",
    "customer360_queries",
    "customer_list_p50_ms",
    "customer_list_queries",
    "search_p50_ms",
    "create_customer_p50_ms",
    "case_queue_p50_ms",
    "case_queue_queries",
    "sla_sweep_s",
    "sla_sweep_cpu_s",
    "sla_sweep_wait_s",
    "sla_sweep_escalated",
    "sla_sweep_warned",
    "sla_recount_s",
    "sla_recount_tasks",
    "sla_recounted",
    "sla_longest_transaction_s",
    "screen_pop_ms",
    "outbox_events_per_s",
    "web_events_per_s",
    "rule_eval_events_per_s",
    *bench_burst.KEYS,
    "import_rows_per_s",
    "raw_rows_per_s",
    "import_raw_ratio",
    "requests_per_s_mixed",
    "pipeline_board_p50_ms",
    "pipeline_board_queries",
    "opportunity_move_p50_ms",
    "opportunity_move_queries",
    "ui_list_lcp_ms",
    "ui_list_cls",
    "ui_ficha_cls",
    "ui_ficha_cls_375",
    "ui_palette_ms",
    "ui_palette_queries",
    "ui_deep_page_ratio",
    "quote_price_p50_ms",
    "quote_pdf_p50_ms",
    "mail_import_per_s",
    "segment_count_ms",
    "campaign_send_per_s",
    "unsubscribe_p50_ms",
    "clv_fit_s",
    "clv_fit_reference_s",
    "warehouse_build_s",
    "warehouse_refresh_s",
    "warehouse_refresh_steps",
    "dashboard_widget_p95_ms",
    "segment_score_write_s",
    *bench_orders_import.KEYS,
    *bench_leads_import.KEYS,
    "database",
    "customers",
]


def parts_of(only: str) -> list[str]:
    return [part.strip() for part in only.split(",") if part.strip()]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(base_url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CommandError(f"The server exited with code {process.returncode}.")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise CommandError("The server did not answer /healthz in time.")


def cpu_seconds() -> float:
    """This process's CPU seconds and its finished children's (a warehouse load's
    DuckDB part runs in a child process on SQLite; DuckDB's threads count too)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class Steps:
    """Times the steps of a run: wall seconds, CPU seconds (``cpu_seconds``) and the
    machine's load average at the end, printed per step, so a figure taken on a shared
    machine says what else was running."""

    def __init__(self, say: Callable[[str], None]):
        self.say = say

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), cpu_seconds()
        yield
        wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        self.say(f"[step] {name}: {wall:.1f} s wall, {cpu:.1f} s CPU, load average {load}")
