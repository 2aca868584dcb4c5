"""The bench's lead import figure, on a small file: the import goes through the lead
import's services, creates the good rows' leads, rejects the bad ones, is undone
afterwards (the undo timed too), and its keys go to the JSON."""

import pytest

from panorama.bench import leads_import as bench_leads_import
from panorama.bench.parts import JSON_KEYS, PARTS
from panorama.sales.models import Lead, LeadImport

pytestmark = pytest.mark.django_db


def test_the_lead_import_is_measured_and_undone(admin_user):
    said: list[str] = []
    out = bench_leads_import.measure_all(said.append, rows=200, runs=1)
    assert set(out) == {"lead_import_rows_per_s", "lead_import_undo_leads_per_s"}
    assert out["lead_import_rows_per_s"] > 0 and out["lead_import_undo_leads_per_s"] > 0
    job = LeadImport.objects.get()
    assert (job.processed_rows, job.created_count, job.rejected_count) == (200, 198, 2)
    assert job.undo_deleted_count == 198 and not Lead.objects.exists()
    assert "lead import" in said[0]
    assert "leads_import" in PARTS and set(out) <= set(JSON_KEYS)
    name, value, _target = bench_leads_import.report_row(out)
    assert name == "lead import (its undo)"
    assert value.startswith(f"{out['lead_import_rows_per_s']:,} rows/s")
    assert f"({out['lead_import_undo_leads_per_s']:,} leads/s)" in value
