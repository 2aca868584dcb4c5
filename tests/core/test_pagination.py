"""``core.pagination``: the one keyset cursor every paged list uses."""

import base64
import json
from urllib.parse import urlencode

import pytest

from panorama.core.exceptions import ValidationFailed
from panorama.core.pagination import Keyset
from panorama.customers.models import Customer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def tampered(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


BROKEN = ["nonsense", "%%%", tampered(["Ana"]), tampered({"a": 1}), tampered(["Ana", "x"])]


@pytest.mark.parametrize("order", [("search_name", "id"), ("-search_name", "-id")])
def test_pages_walk_every_row_once_in_order_even_with_ties(order):
    for name in ["b", "a", "b", "c", "a", "b", "a"]:
        CustomerFactory(display_name=name, search_name=name)
    keyset = Keyset(*order, types=(str, int))
    expected = list(keyset.ordered(Customer.objects.all()).values_list("search_name", "id"))

    seen, cursor = [], ""
    while True:
        page = keyset.page(Customer.objects.all(), cursor=cursor, limit=2)
        seen += [(c.search_name, c.id) for c in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == expected


@pytest.mark.parametrize("cursor", BROKEN + [tampered([True, 1])])
def test_a_broken_cursor_is_a_validation_error_on_the_cursor(cursor):
    with pytest.raises(ValidationFailed, match="The page cursor is not valid.") as caught:
        Keyset("row_number", "id", types=(int, int)).decode(cursor)
    assert caught.value.field == "cursor"


@pytest.mark.parametrize("path", ["/customers", "/duplicates"])
@pytest.mark.parametrize("cursor", BROKEN)
def test_every_paged_api_list_answers_422_to_a_broken_cursor(api, path, cursor):
    r = api.get(f"{path}?{urlencode({'cursor': cursor})}")

    assert r.status_code == 422
    assert "The page cursor is not valid." in r.content.decode()
