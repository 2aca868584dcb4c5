"""The bench's yardstick: the raw write copies exactly the rows an import wrote."""

import pytest

from panorama.bench import measure, raw
from panorama.customers.models import Address, Customer, Identity
from tests.factories import AdminFactory

pytestmark = pytest.mark.django_db


def _without(row: dict, *names: str) -> tuple:
    return tuple(sorted((k, str(v)) for k, v in row.items() if k not in names))


def test_the_raw_write_copies_the_imported_rows_under_new_ids(tmp_path):
    path = measure.import_csv(tmp_path / "import.csv", rows=30, tag="t")
    rate, job_id = measure.import_rate(path=path, user=AdminFactory())
    imported = list(Customer.objects.filter(import_job_id=job_id).order_by("pk").values())
    assert rate > 0 and len(imported) == 30

    raw_rate = raw.raw_rate(job_id=job_id, batch_size=7)  # five transactions

    assert raw_rate > 0
    copies = list(
        Customer.objects.filter(import_job_id=job_id, pk__gt=imported[-1]["id"])
        .order_by("pk")
        .values()
    )
    assert [_without(c, "id") for c in copies] == [_without(c, "id") for c in imported]
    for original, copy in zip(imported, copies, strict=True):
        for model in (Identity, Address):
            rows = [
                [
                    _without(r, "id", "customer_id")
                    for r in model.objects.filter(customer_id=c["id"]).values()
                ]
                for c in (original, copy)
            ]
            assert rows[0] == rows[1] and len(rows[0]) == 1
