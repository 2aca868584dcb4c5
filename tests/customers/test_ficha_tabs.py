"""The ficha's tabs: the address names the tab the server shows; the others are hidden,
not missing (every section is rendered once, at the same query cost)."""

import re

import pytest
from django.urls import reverse

from panorama.customers.panels import Panel, register
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _visible_tabs(html: str) -> list[str]:
    panels = re.findall(r'data-pn-tabpanel="(\w+)"( hidden)?>', html)
    return [key for key, hidden in panels if not hidden]


@pytest.mark.parametrize(
    "query, shown", [("", "overview"), ("?tab=service", "service"), ("?tab=nonsense", "overview")]
)
def test_the_address_chooses_the_tab_shown(client, admin_user, query, shown):
    customer = CustomerFactory()
    client.force_login(admin_user)

    html = client.get(reverse("customers:detail", args=[customer.pk]) + query).content.decode()

    assert _visible_tabs(html) == [shown]
    assert f'id="tab-btn-{shown}" href="?tab={shown}" aria-controls="tab-{shown}"' in html
    assert 'aria-selected="true"' in html.split(f'id="tab-btn-{shown}"')[1].split(">")[0]
    # The hidden tabs are still in the page: the field history is there on every tab.
    assert "Field history" in html


def test_a_panel_on_an_unknown_tab_is_refused_at_registration():
    with pytest.raises(ValueError, match="unknown ficha tab 'extras'"):
        register(
            Panel(key="x", title="X", selector=lambda **kw: [], template="x.html", tab="extras")
        )
