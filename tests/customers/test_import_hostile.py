"""Hostile import files: XLSX bombs, a file declaring a million rows, a flood of bad rows.

Each file is built here the way an attacker would build it; the import must refuse it
with a clear message, without reading it whole, and nothing must be written.
"""

import io
import resource
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from panorama.core.exceptions import ValidationFailed
from panorama.customers.imports.services import files
from panorama.customers.imports.services.jobs import import_file_sync, import_job_create
from panorama.customers.models import Customer, ImportJob, ImportRowError

from .import_files import HEADER_ES, ROWS_ES, csv_bytes, xlsx_bytes


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _rewrite(workbook: bytes, replace: dict[str, object]) -> bytes:
    """The workbook with some of its parts replaced or added: bytes, or a callable
    writing to a stream (so a part of many megabytes is never held in memory)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        names = [info.filename for info in source.infolist()]
        for name in [*names, *(n for n in replace if n not in names)]:
            content = replace.get(name)
            if content is None:
                target.writestr(name, source.read(name))
            elif callable(content):
                with target.open(name, "w", force_zip64=True) as stream:
                    content(stream)
            else:
                target.writestr(name, content)
    return out.getvalue()


def _part(workbook: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        return archive.read(name).decode()


def _shared_strings_bomb(megabytes: int) -> bytes:
    """A real workbook whose shared-string table (the part Excel stores a sheet's text
    in, read whole when the workbook opens) holds one string of ``megabytes`` MB: it
    compresses about a thousandfold."""
    workbook = xlsx_bytes(ROWS_ES)
    kind = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
    rels = _part(workbook, "xl/_rels/workbook.xml.rels").replace(
        "</Relationships>",
        f'<Relationship Type="{kind}" Target="sharedStrings.xml" Id="rId9" /></Relationships>',
    )
    types = _part(workbook, "[Content_Types].xml").replace(
        "</Types>",
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" /></Types>',
    )

    def table(stream):
        stream.write(
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            b'count="1" uniqueCount="1"><si><t>'
        )
        chunk = b"A" * (1 << 20)
        for _ in range(megabytes):
            stream.write(chunk)
        stream.write(b"</t></si></sst>")

    return _rewrite(
        workbook,
        {
            "xl/_rels/workbook.xml.rels": rels.encode(),
            "[Content_Types].xml": types.encode(),
            "xl/sharedStrings.xml": table,
        },
    )


@pytest.fixture(scope="module")
def string_bomb() -> bytes:
    return _shared_strings_bomb(64)


def _upload(content: bytes, name: str):
    return SimpleUploadedFile(name, content)


def test_xlsx_with_one_huge_shared_string_is_refused_before_it_is_unpacked(admin_user, string_bomb):
    assert len(string_bomb) < 1024 * 1024  # a small upload…
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ValidationFailed) as refused:
        import_job_create(upload=_upload(string_bomb, "clientes.xlsx"), by=admin_user)

    # …refused for what it unpacks to, naming the part, with a way out.
    message = str(refused.value.message)
    assert "xl/sharedStrings.xml" in message and "64.0\xa0MB" in message
    assert "CSV" in message
    assert not ImportJob.objects.exists()
    # Refused from the zip's directory: this process never held the 64 MB string.
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 32 * 1024


def test_a_workbook_within_the_ratios_but_too_big_for_memory_is_refused_not_fatal(
    settings, admin_user, string_bomb
):
    """The second line of defence: limits loosened so the bomb passes the zip checks,
    the reading process runs out of its memory and the upload is refused; the web
    server's process is untouched."""
    settings.PANORAMA_IMPORT_MAX_COMPRESSION_RATIO = 10**6
    settings.PANORAMA_IMPORT_MAX_SHARED_STRINGS_BYTES = 10**12
    settings.PANORAMA_IMPORT_READ_MEMORY_BYTES = 48 * 1024 * 1024
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    with pytest.raises(ValidationFailed) as refused:
        import_job_create(upload=_upload(string_bomb, "clientes.xlsx"), by=admin_user)

    assert "more memory than an import may use" in str(refused.value.message)
    assert not ImportJob.objects.exists()
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 32 * 1024


def _declaring(rows: int) -> bytes:
    """A tiny workbook whose sheet declares ``rows`` rows (its dimension)."""
    workbook = xlsx_bytes(ROWS_ES)
    sheet = _part(workbook, "xl/worksheets/sheet1.xml")
    start = sheet.index("<dimension ref=")
    end = sheet.index("/>", start) + 2
    sheet = sheet[:start] + f'<dimension ref="A1:H{rows}"/>' + sheet[end:]
    return _rewrite(workbook, {"xl/worksheets/sheet1.xml": sheet.encode()})


def test_xlsx_declaring_a_million_rows_is_refused_at_upload(admin_user):
    content = _declaring(1_000_000)
    assert len(content) < 20 * 1024

    with pytest.raises(ValidationFailed) as refused:
        import_job_create(upload=_upload(content, "clientes.xlsx"), by=admin_user)

    assert "more than 500,000 rows" in str(refused.value.message)
    assert not ImportJob.objects.exists() and not ImportRowError.objects.exists()


def test_xlsx_declaring_more_rows_than_it_has_reads_only_its_rows(tmp_path, admin_user):
    """A declared size within the limit is not trusted either: the blank rows it
    declares are not produced (nor counted, nor rejected)."""
    path = tmp_path / "clientes.xlsx"
    path.write_bytes(_declaring(400_000))
    job = import_file_sync(path=path, by=admin_user)
    assert (job.status, job.total_rows, job.created_count, job.rejected_count) == (
        "done",
        3,
        3,
        0,
    )


@pytest.mark.parametrize("in_process", [True, False], ids=["small-csv", "read-in-a-child"])
def test_a_file_with_more_rows_than_allowed_fails_before_writing_anything(
    settings, tmp_path, admin_user, monkeypatch, in_process
):
    """A CSV (or a workbook hiding its size) is counted before any row is written; the
    count stops at the first row past the limit. A small CSV is read in the process, a
    larger one in the memory-limited child: the same answer."""
    if not in_process:
        monkeypatch.setattr(files, "CSV_READ_IN_PROCESS", 0)
    settings.PANORAMA_IMPORT_MAX_ROWS = 50
    rows = [["Ana", f"García {n}", "", "", f"ana{n}@example.com", "", "", ""] for n in range(51)]
    path = tmp_path / "clientes.csv"
    path.write_bytes(csv_bytes(rows))

    job = import_file_sync(path=path, by=admin_user)

    assert job.status == "failed"
    assert "more than 50 rows" in job.error
    assert not Customer.objects.exists() and not ImportRowError.objects.exists()


def test_a_header_with_too_many_columns_is_refused(admin_user):
    header = [*HEADER_ES, *(f"Extra {n}" for n in range(300))]
    with pytest.raises(ValidationFailed) as refused:
        import_job_create(upload=_upload(csv_bytes([], header=header), "c.csv"), by=admin_user)
    assert "more than 200 columns" in str(refused.value.message)


def test_a_far_away_cell_does_not_widen_every_row(tmp_path, admin_user):
    """A cell in column XFD (16,384) would make openpyxl pad every row to that width."""
    workbook = xlsx_bytes(ROWS_ES)
    sheet = _part(workbook, "xl/worksheets/sheet1.xml")
    sheet = sheet.replace("</row>", '<c r="XFD2" t="n"><v>1</v></c></row>', 2)
    path = tmp_path / "clientes.xlsx"
    path.write_bytes(_rewrite(workbook, {"xl/worksheets/sheet1.xml": sheet.encode()}))
    job = import_file_sync(path=path, by=admin_user)
    assert (job.status, job.created_count) == ("done", 3)


def test_rejected_rows_past_the_cap_are_counted_not_stored(settings, tmp_path, admin_user):
    settings.PANORAMA_IMPORT_MAX_REJECTED_ROWS = 5
    rows = [["", "", "", "", f"nadie{n}@example.com", "", "", ""] for n in range(12)]
    path = tmp_path / "clientes.csv"
    path.write_bytes(csv_bytes([*rows, ROWS_ES[0]]))

    job = import_file_sync(path=path, by=admin_user)

    assert (job.status, job.created_count, job.rejected_count) == ("done", 1, 12)
    assert job.row_errors.count() == 5
    assert list(job.row_errors.values_list("row_number", flat=True)) == [2, 3, 4, 5, 6]
