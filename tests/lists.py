"""What tests of the shared list (core/lists) post and read, written once."""

HX = {"HX-Request": "true"}


def list_bulk(client, list_name: str, **data):
    """A bulk action on the list ``list_name`` as the bulk bar posts it (HTMX)."""
    return client.post(f"/ui/lists/{list_name}/bulk/", data, headers=HX)


def row_names(response) -> list[str]:
    """The ``name`` of each row the list page shows, in its order."""
    return [row.obj.name for row in response.context["list"].rows]
