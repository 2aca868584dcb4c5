"""Before merging, the user sees both customers side by side, what the survivor ends
with and what moves to it; the preview changes nothing."""

import datetime

import pytest

from panorama.accounts.models import Role
from panorama.customers.models import Customer, CustomerMerge, DuplicateCandidate
from tests.factories import CustomerFactory, HoldingFactory, IdentityFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(db):
    kept = CustomerFactory(first_name="Ana", last_name="García")
    merged = CustomerFactory(
        first_name="Ana", last_name="Garcia", birth_date=datetime.date(1978, 8, 13)
    )
    IdentityFactory(customer=merged, kind="email", value="ana@example.com")
    HoldingFactory(customer=merged)
    HoldingFactory(customer=merged, product_code="CARD-DB")
    low, high = sorted([kept, merged], key=lambda c: c.pk)
    candidate = DuplicateCandidate.objects.create(customer_a=low, customer_b=high, score=0.9)
    return candidate, kept, merged


def test_the_preview_shows_both_sides_the_outcome_and_what_moves(admin_client, pair):
    candidate, kept, merged = pair
    url = f"/customers/duplicates/{candidate.pk}/merge/?survivor={kept.pk}"
    html = admin_client.get(url).content.decode()

    assert "Merge Ana Garcia into Ana García" in html
    assert f"Kept: Ana García (#{kept.pk})" in html and f"Merged: Ana Garcia (#{merged.pk})" in html
    # The survivor has no birth date: it takes the merged one's, flagged.
    assert "08/13/1978" in html and "filled in" in html
    assert "Holdings: 2" in html or "holdings: 2" in html.lower()
    assert "Identities: 1" in html or "identities: 1" in html.lower()
    # Looking changes nothing.
    assert not CustomerMerge.objects.exists()
    assert Customer.objects.get(pk=merged.pk).merged_into_id is None

    response = admin_client.post(
        f"/customers/duplicates/{candidate.pk}/merge/", {"survivor": kept.pk}
    )
    assert response.status_code == 302
    assert Customer.objects.get(pk=merged.pk).merged_into_id == kept.pk
    assert kept.holdings.count() == 2


def test_the_duplicates_screen_leads_to_the_preview(admin_client, pair):
    candidate, kept, merged = pair
    html = admin_client.get("/customers/duplicates/").content.decode()
    assert (
        f'href="/customers/duplicates/{candidate.pk}/merge/?survivor={candidate.customer_a_id}"'
        in html
    )


def test_who_may_not_merge_gets_no_preview(client, pair):
    candidate, kept, _merged = pair
    client.force_login(UserFactory(username="agent", role=Role.SERVICE_AGENT))
    response = client.get(f"/customers/duplicates/{candidate.pk}/merge/?survivor={kept.pk}")
    assert response.status_code == 403
