"""Measurements through real HTTP against granian on 127.0.0.1, with a light client."""

from __future__ import annotations

import csv
import http.client
import json
import multiprocessing
import random
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from panorama.accounts.models import User
from panorama.customers.models import Customer, Identity

QUERIES = re.compile(r"queries=(\d+)")
WARM_UP = 30


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def query_count(response: Response) -> int | None:
    match = QUERIES.search(response.headers.get("server-timing", ""))
    return int(match.group(1)) if match else None


def timed(
    client: Connection, requests: list[Callable[[Connection], Response]]
) -> tuple[list[float], list[int]]:
    """Run each request after a warm-up; milliseconds and query counts per request."""
    for make in requests[:WARM_UP]:
        make(client)
    times, counts = [], []
    for make in requests:
        started = time.perf_counter()
        response = make(client)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code >= 400:
            raise RuntimeError(
                f"{response.method} {response.path} -> {response.status_code}: "
                f"{response.text[:300]}"
            )
        count = query_count(response)
        if count is not None:
            counts.append(count)
    return times, counts


def get(path: str, params: dict | None = None) -> Callable[[Connection], Response]:
    """A request for ``timed``: GET ``path`` with ``params``."""
    return lambda client: client.get(path, params)


def post(path: str, body: dict) -> Callable[[Connection], Response]:
    """A request for ``timed``: POST ``body`` as JSON to ``path``."""
    return lambda client: client.post(path, body)


def identify_values(rng: random.Random, *, count: int, last_id: int) -> list[str]:
    """Existing identifiers written the way people type them."""
    ids = [rng.randint(1, last_id) for _ in range(count)]
    rows = list(
        Identity.objects.filter(
            customer_id__in=ids, kind__in=["phone", "national_id", "email", "loyalty_card"]
        ).values_list("kind", "value")
    )
    rng.shuffle(rows)
    values = []
    for kind, value in rows[:count]:
        if kind == "phone":  # +34600112233 -> "600 11 22 33"
            digits = value.removeprefix("+34")
            value = f"{digits[:3]} {digits[3:5]} {digits[5:7]} {digits[7:]}"
        elif kind == "national_id":
            value = value.lower()
        elif kind == "email":
            value = value.upper()
        else:
            value = f"{value[:4]}-{value[4:8]}-{value[8:12]}-{value[12:]}"
        values.append(value)
    return values


def name_prefixes(rng: random.Random, *, count: int, last_id: int) -> list[str]:
    ids = [rng.randint(1, last_id) for _ in range(count)]
    names = list(Customer.objects.filter(pk__in=ids).values_list("last_name", "legal_name"))
    return [(last or legal)[:4] for last, legal in names if (last or legal)]


def new_customer(serial: str) -> dict:
    return {
        "kind": "person",
        "first_name": "Bench",
        "last_name": f"Cliente {serial}",
        "identities": [
            {"kind": "email", "value": f"bench.{serial}@example.com"},
            {"kind": "external_id", "value": f"BENCH-{serial}"},
        ],
        "addresses": [{"line1": "Calle Mayor, 1", "postal_code": "28013", "city": "Madrid"}],
    }


def import_csv(path: Path, *, rows: int, tag: str) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Nombre", "Apellidos", "Email", "Código postal", "Ciudad", "Dirección"])
        for index in range(rows):
            writer.writerow(
                [
                    "Importado",
                    f"García {tag} {index}",
                    f"import.{tag}.{index}@example.com",
                    f"28{index % 1000:03d}",
                    "Madrid",
                    f"Calle Mayor, {index % 200 + 1}",
                ]
            )
    return path


def import_rate(*, path: Path, user: User) -> tuple[float, int]:
    """Rows per second of a synchronous import through the import service, and its job's id."""
    from panorama.customers.imports.services.jobs import import_file_sync

    started = time.perf_counter()
    job = import_file_sync(path=path, by=user)
    seconds = time.perf_counter() - started
    if job.status != "done" or job.rejected_count:
        raise RuntimeError(
            f"The import ended {job.status} with {job.rejected_count} rejects: {job.error}"
        )
    return job.processed_rows / seconds, job.pk


@dataclass
class Response:
    status_code: int
    headers: dict[str, str]
    text: str
    method: str
    path: str


class Connection:
    """A keep-alive HTTP/1.1 client with the least work per request (http.client), so
    the times measure the server, and the load generator, which shares the machine's
    two cores with it, takes as little CPU as it can. ``get``/``post`` as in httpx."""

    def __init__(self, base_url: str, key: str):
        parts = urlsplit(base_url)
        self.conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
        self.headers = {"Authorization": f"Bearer {key}", "Accept": "application/json"}

    def request(self, method: str, path: str, body: dict | None = None) -> Response:
        headers = self.headers
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers = {**headers, "Content-Type": "application/json"}
        try:
            self.conn.request(method, path, body=payload, headers=headers)
            raw = self.conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # The server closed a keep-alive connection left idle (during the seeding of
            # cases or the SLA sweep, say): open a new one and send the request again.
            self.conn.close()
            self.conn.request(method, path, body=payload, headers=headers)
            raw = self.conn.getresponse()
        text = raw.read().decode("utf-8", "replace")
        headers_in = {name.lower(): value for name, value in raw.getheaders()}
        return Response(raw.status, headers_in, text, method, path)

    def get(self, path: str, params: dict | None = None) -> Response:
        return self.request("GET", f"{path}?{urlencode(params)}" if params else path)

    def post(self, path: str, json: dict | None = None) -> Response:  # noqa: A002 - as httpx
        return self.request("POST", path, json)

    def close(self) -> None:
        self.conn.close()


def _mixed_client(args: tuple) -> tuple[int, int]:
    number, base_url, key, deadline, showcase_id, identify, last_id = args
    rng = random.Random(number)
    client = Connection(base_url, key)
    done = errors = serial = 0
    while time.time() < deadline:
        roll = rng.random()
        if roll < 0.35:
            status = client.get("/api/v1/identify", {"value": rng.choice(identify)}).status_code
        elif roll < 0.55:
            cid = showcase_id if rng.random() < 0.3 else rng.randint(1, last_id)
            status = client.get(f"/api/v1/customers/{cid}/360").status_code
        elif roll < 0.80:
            status = client.get("/api/v1/customers").status_code
        elif roll < 0.90:
            serial += 1
            status = client.post(
                "/api/v1/customers", new_customer(f"m{number}-{serial}-{time.time_ns()}")
            ).status_code
        else:
            status = client.post(
                f"/api/v1/customers/{rng.randint(1, last_id)}/interactions",
                {"channel": "phone", "direction": "inbound", "subject": "Bench call"},
            ).status_code
        if status < 400 or status == 404:
            done += 1
        else:
            errors += 1
    return done, errors


def mixed_load(
    *,
    base_url: str,
    key: str,
    duration: float,
    clients: int,
    showcase_id: int,
    identify: list[str],
    last_id: int,
) -> dict:
    """``clients`` processes, each with its own connection: ~80% reads, ~20% writes."""
    started = time.monotonic()
    deadline = time.time() + duration
    jobs = [(n, base_url, key, deadline, showcase_id, identify, last_id) for n in range(clients)]
    context = multiprocessing.get_context("fork")
    with context.Pool(clients) as pool:
        results = pool.map(_mixed_client, jobs)
    seconds = time.monotonic() - started
    done = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
    return {
        "requests": done,
        "errors": errors,
        "seconds": seconds,
        "per_s": done / seconds if seconds else 0.0,
    }


def p50(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0
