"""What tests of the shared list (core/lists) post and read, written once."""

HX = {"HX-Request": "true"}


def list_bulk(client, list_name: str, **data):
    """A bulk action on the list ``list_name`` as the bulk bar posts it (HTMX)."""
    return client.post(f"/ui/lists/{list_name}/bulk/", data, headers=HX)


def row_names(response) -> list[str]:
    """The ``name`` of each row the list page shows, in its order."""
    return [row.obj.name for row in response.context["list"].rows]


def cell_post(client, list_name: str, pk: int, column: str, value):
    """Save one cell edited in place, as the list's editor posts it."""
    return client.post(f"/ui/lists/{list_name}/{pk}/{column}/", {"value": value}, headers=HX)


def export_file(client, list_name: str, query: str = "", fmt: str = "csv", **data) -> bytes:
    """Export the rows of ``list_name`` that match ``query`` (every one, or ``ids``) as
    the bulk bar asks it; the downloaded file's bytes."""
    chosen = data if data else {"all": "1"}
    response = list_bulk(client, list_name, action=f"export_{fmt}", query=query, **chosen)
    job = response.context["list"].bulk_job
    assert job is not None, response.context["list"].bulk_error
    return b"".join(client.get(f"/ui/lists/bulk-jobs/{job.pk}/file/").streaming_content)


def export_csv(client, list_name: str, query: str = "", **data) -> list[list[str]]:
    """The exported CSV's rows (header first), as a spreadsheet reads them."""
    import csv
    import io

    text = export_file(client, list_name, query, **data).decode().lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def export_xlsx(client, list_name: str, query: str = "") -> list[list]:
    """The exported workbook's rows (header first)."""
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(export_file(client, list_name, query, fmt="xlsx")))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def export_queries(client, list_name: str, query: str = "") -> int:
    """How many queries one export of every matching row takes (the total's cache
    emptied first, so two exports compare alike)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = list_bulk(client, list_name, action="export_csv", all="1", query=query)
    assert response.context["list"].bulk_job.status == "done"
    return len(queries)


def bulk_keys(response) -> list[str]:
    """The keys of the actions the list's bulk bar offers ([] without a bar)."""
    bulk = response.context["list"].bulk
    return [a["key"] for a in bulk.actions] if bulk else []


# What a user who may change nothing still may do: export what he sees.
EXPORTS_ONLY = ["export_csv", "export_xlsx"]
