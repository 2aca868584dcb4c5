"""The service desk's bench figures, against a live server: the queue page signed in
with a session, its query count, and the SLA sweep's time."""

import pytest

from panorama.accounts.models import Role
from panorama.bench import cases as bench_cases
from panorama.service.models import Case
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_queue_figures_and_the_sweep(live_server):
    CustomerFactory.create_batch(20)
    assert bench_cases.cases_ready(60) == 60
    assert bench_cases.cases_ready(30) == 60  # seeded once
    agent = UserFactory(username="bench-agent", role=Role.SERVICE_AGENT)
    p50, queries = bench_cases.case_queue(live_server.url, agent, requests=5)
    assert p50 > 0
    assert queries is None or queries <= 10
    seconds, done = bench_cases.sla_sweep_seconds()
    assert seconds >= 0
    # The sweep's CPU seconds and (Linux) its seconds waiting for a CPU: on a shared
    # machine the wall time is mostly the waiting.
    assert done["cpu_s"] > 0
    assert done["wait_s"] >= 0
    escalated = Case.objects.exclude(response_escalated_at=None, resolution_escalated_at=None)
    assert done["escalated"] > 0
    assert escalated.exists()
    # The recount tasks the sweep queued were run after it, each one transaction.
    assert done["recount_s"] >= 0
    assert done["recount_tasks"] >= bool(done["recounted"])
    assert 0 <= done["longest_transaction_s"] <= seconds + done["recount_s"]
    # A second run sweeps the same work: the marks of the first are cleared before it.
    again = bench_cases.sla_sweep_seconds()[1]
    counts = ("warned", "escalated", "recount_tasks", "recounted")
    assert {k: again[k] for k in counts} == {k: done[k] for k in counts}
