"""The import writes batch N in a background thread (its own connection, one
transaction per batch) while batch N+1 is validated: the outcome must be exactly
that of the inline path, across batch boundaries, in the importer's language."""

import pytest

from panorama.customers.models import Customer, ImportChange, ImportRowError
from panorama.customers.services import importing
from panorama.customers.services.importing import import_file_sync, import_job_undo
from tests.factories import AdminFactory

from .import_files import csv_bytes

pytestmark = pytest.mark.django_db(transaction=True)  # no outer transaction: threaded path

HEADER = ["Nombre", "Apellidos", "Email"]


@pytest.fixture
def small_batches(monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(importing, "BATCH_SIZE", 25)


def _file(tmp_path):
    rows = [["Ana", f"Ruiz {n}", f"ana.{n}@example.com"] for n in range(120)]
    rows[10][2] = "not-an-email"  # rejected while validating
    rows[90][2] = "ana.3@example.com"  # the same customer as row 4, three batches later
    path = tmp_path / "clientes.csv"
    path.write_bytes(csv_bytes(rows, header=HEADER))
    return path


def test_a_threaded_import_matches_the_inline_outcome_and_undoes(small_batches, tmp_path):
    admin = AdminFactory(language="es")
    threads_seen = []
    original = importing._flush

    def flush(job, batch, on_progress):
        import threading

        threads_seen.append(threading.current_thread().name)
        return original(job, batch, on_progress)

    importing._flush = flush
    try:
        job = import_file_sync(path=_file(tmp_path), by=admin)
    finally:
        importing._flush = original

    assert set(threads_seen) == {"panorama-writer"}  # the background path was taken
    assert len(threads_seen) == 5  # 120 rows in batches of 25
    assert (job.status, job.processed_rows) == ("done", 120)
    assert (job.created_count, job.rejected_count) == (118, 2)
    assert Customer.objects.count() == 118
    assert ImportChange.objects.filter(job=job).count() == 118
    messages = dict(ImportRowError.objects.filter(job=job).values_list("row_number", "message"))
    assert set(messages) == {12, 92}  # file rows: the header is row 1
    # Written by the writer thread, still in the importer's language.
    assert messages[92] == "La fila 5 de este archivo es el mismo cliente (mismo email)."

    import_job_undo(job=job, by=admin)
    assert Customer.objects.count() == 0


def test_an_error_in_the_writer_stops_the_import_and_keeps_earlier_batches(small_batches, tmp_path):
    admin = AdminFactory()
    original = importing._flush
    calls = []

    def failing(job, batch, on_progress):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return original(job, batch, on_progress)

    importing._flush = failing
    try:
        with pytest.raises(RuntimeError, match="disk full"):
            import_file_sync(path=_file(tmp_path), by=admin)
    finally:
        importing._flush = original
    job = importing.ImportJob.objects.get()
    assert job.status == "failed" and "disk full" in job.error
    assert Customer.objects.count() == 49  # two whole batches, one row rejected
