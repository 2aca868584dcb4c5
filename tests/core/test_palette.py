"""The Ctrl+K palette's server half: actions the user may run, customers found as in the
identify box (scoped), in a few queries whatever the table's size."""

import pytest

from panorama.accounts.models import Role
from tests.factories import CustomerFactory, IdentityFactory, UserFactory

pytestmark = pytest.mark.django_db


def _palette(client, text=""):
    return client.get("/ui/palette/", {"q": text}, headers={"HX-Request": "true"})


def test_without_text_the_actions_the_user_may_run(client, rep):
    client.force_login(rep)
    html = _palette(client).content.decode()
    assert 'data-href="/customers/new/"' in html and "New customer" in html
    assert "Dark theme" in html
    analyst = UserFactory(username="analyst", role=Role.ANALYST)
    client.force_login(analyst)
    assert "/customers/new/" not in _palette(client).content.decode()


def test_an_action_is_found_by_its_words_in_either_language(client, rep):
    client.force_login(rep)
    assert "/customers/imports/" in _palette(client, "csv").content.decode()
    assert "/customers/imports/" not in _palette(client, "nuevo").content.decode()
    html = client.get("/ui/palette/", {"q": "nuevo"}, headers={"Accept-Language": "es"})
    assert "/customers/new/" in html.content.decode()


def test_customers_by_identifier_and_by_name_within_scope(
    client, rep, django_assert_max_num_queries
):
    lucia = CustomerFactory(first_name="Lucía", last_name="Gómez", owner=rep)
    IdentityFactory(customer=lucia, kind="phone", value="+34600112233")
    CustomerFactory(first_name="Lucas", last_name="Ajeno")  # not his
    client.force_login(rep)
    # Session, user, identify, then the name search: one query per way of matching and
    # their union (customer_list), whatever the number of customers; the knowledge base's
    # articles (all words, then any word) and the rep's Django permissions, asked once
    # by the rule of the "new article" action (service.kb_edit); leads and opportunities
    # by name, one query each (cases and quotes: only for a reference).
    with django_assert_max_num_queries(13):
        html = _palette(client, "600 11 22 33").content.decode()
    assert f'data-href="/customers/{lucia.pk}/"' in html and "exact identifier" in html
    html = _palette(client, "luc").content.decode()
    assert "Lucía Gómez" in html and "Lucas Ajeno" not in html
    assert "Nothing matches “zzz”." in _palette(client, "zzz").content.decode()
