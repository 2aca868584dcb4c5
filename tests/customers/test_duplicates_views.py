import pytest
from django.urls import reverse

from panorama.customers.duplicates.services.scan import customer_merge, duplicates_scan
from panorama.customers.models import Customer, CustomerMerge, DuplicateCandidate, Identity

from ..factories import AddressFactory, CustomerFactory, IdentityFactory, UserFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def make_pairs(n, owner=None):
    pairs = []
    for i in range(n):
        a = CustomerFactory(first_name="Ana", last_name=f"Ruiz{i}", owner=owner)
        b = CustomerFactory(first_name="Ana", last_name=f"Ruiz{i}", owner=owner)
        for customer in (a, b):
            IdentityFactory(
                customer=customer, kind=Identity.Kind.EMAIL, value=f"ana{i}@example.com"
            )
            AddressFactory(customer=customer, postal_code=f"2800{i}")
        pairs.append((a, b))
    duplicates_scan()
    return pairs


@pytest.fixture
def signed_in(client, admin_user):
    client.force_login(admin_user)
    return client


def test_the_screen_shows_pairs_side_by_side(signed_in, django_assert_max_num_queries):
    make_pairs(5)
    customer_merge(survivor=CustomerFactory(), merged=CustomerFactory(), by=None)

    with django_assert_max_num_queries(8):
        r = signed_in.get(reverse("customers:duplicates"))

    assert r.status_code == 200
    html = r.content.decode()
    assert html.count('class="card mb-3"') == 5
    assert "Ana Ruiz0" in html and "ana0@example.com" in html and "28000" in html
    assert "Same e-mail: ana0@example.com" in html
    assert "Merge into left" in html and "Not a duplicate" in html and "Scan now" in html
    assert "Recent merges" in html


def test_query_count_does_not_grow_with_the_number_of_pairs(
    signed_in, django_assert_max_num_queries
):
    make_pairs(2)
    with django_assert_max_num_queries(12) as few:
        signed_in.get(reverse("customers:duplicates"))
    make_pairs(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        signed_in.get(reverse("customers:duplicates"))


def test_merge_by_htmx_replaces_the_row_with_the_result(signed_in):
    [(a, b)] = make_pairs(1)
    candidate = DuplicateCandidate.objects.get()

    r = signed_in.post(
        reverse("customers:duplicate_merge", args=[candidate.pk]), {"survivor": b.pk}, headers=HTMX
    )

    assert r.status_code == 200
    html = r.content.decode()
    assert f'id="candidate-{candidate.pk}"' in html and "was merged into" in html and "Undo" in html
    assert Customer.objects.get(pk=a.pk).merged_into_id == b.pk


def test_undo_from_the_row_brings_the_pair_back(signed_in):
    [(a, b)] = make_pairs(1)
    candidate = DuplicateCandidate.objects.get()
    signed_in.post(
        reverse("customers:duplicate_merge", args=[candidate.pk]), {"survivor": a.pk}, headers=HTMX
    )
    merge = CustomerMerge.objects.get()

    r = signed_in.post(
        reverse("customers:merge_undo", args=[merge.pk]), {"candidate": candidate.pk}, headers=HTMX
    )

    assert r.status_code == 200
    assert "Merge into left" in r.content.decode()
    assert Customer.objects.get(pk=b.pk).merged_into_id is None


def test_undo_from_the_merges_table_answers_the_merge_row(signed_in):
    [(a, b)] = make_pairs(1)
    merge = customer_merge(survivor=a, merged=b, by=None)

    r = signed_in.post(reverse("customers:merge_undo", args=[merge.pk]), headers=HTMX)

    assert f'id="merge-{merge.pk}"' in r.content.decode() and "Undone" in r.content.decode()
    r = signed_in.post(reverse("customers:merge_undo", args=[merge.pk]), headers=HTMX)
    assert "already undone" in r.content.decode()


def test_dismiss_by_htmx(signed_in):
    make_pairs(1)
    candidate = DuplicateCandidate.objects.get()

    r = signed_in.post(reverse("customers:duplicate_dismiss", args=[candidate.pk]), headers=HTMX)

    assert "marked as different customers" in r.content.decode()
    assert DuplicateCandidate.objects.get().status == DuplicateCandidate.Status.DISMISSED


def test_without_javascript_the_forms_redirect_back(signed_in):
    make_pairs(1)
    candidate = DuplicateCandidate.objects.get()

    r = signed_in.post(reverse("customers:duplicate_merge", args=[candidate.pk]), {"survivor": "x"})

    assert r.status_code == 302
    assert CustomerMerge.objects.count() == 0
    r = signed_in.get(r.url)
    assert "Choose which of the two customers to keep." in r.content.decode()


def test_scan_now_queues_a_scan(signed_in):
    make_pairs(0)
    a, b = CustomerFactory(), CustomerFactory()
    IdentityFactory(customer=a, kind=Identity.Kind.NATIONAL_ID, value="12345678Z")
    IdentityFactory(customer=b, kind=Identity.Kind.NATIONAL_ID, value="12345678Z")

    r = signed_in.post(reverse("customers:duplicates_scan"), headers=HTMX)

    assert r.status_code == 200 and "The scan is running" in r.content.decode()
    assert DuplicateCandidate.objects.count() == 1


def test_a_rep_sees_only_his_pairs_and_cannot_merge_others(client, rep):
    stranger = UserFactory()
    make_pairs(1, owner=stranger)
    candidate = DuplicateCandidate.objects.get()
    client.force_login(rep)

    r = client.get(reverse("customers:duplicates"))
    assert "No possible duplicates to review." in r.content.decode()
    assert "Scan now" not in r.content.decode()
    r = client.post(
        reverse("customers:duplicate_merge", args=[candidate.pk]),
        {"survivor": candidate.customer_a_id},
        headers=HTMX,
    )
    assert r.status_code == 404
    assert client.post(reverse("customers:duplicates_scan")).status_code == 403
    assert CustomerMerge.objects.count() == 0


def test_a_rep_reviews_his_pairs_but_merging_is_left_to_a_manager(client, rep, admin_user):
    make_pairs(1, owner=rep)
    candidate = DuplicateCandidate.objects.get()
    client.force_login(rep)

    page = client.get(reverse("customers:duplicates")).content.decode()
    assert "Ana Ruiz0" in page
    assert "Merge into left" not in page and "Not a duplicate" not in page
    r = client.post(reverse("customers:duplicate_dismiss", args=[candidate.pk]), headers=HTMX)
    assert r.status_code == 403
    assert "Marking customers as not duplicates is not part of your role" in r.content.decode()
    assert DuplicateCandidate.objects.get().status == DuplicateCandidate.Status.OPEN
    merge_url = reverse("customers:duplicate_merge", args=[candidate.pk])
    r = client.post(merge_url, {"survivor": candidate.customer_a_id}, headers=HTMX)
    assert r.status_code == 403
    assert "Merging customers is not part of your role" in r.content.decode()
    assert CustomerMerge.objects.count() == 0

    merge = customer_merge(
        survivor=candidate.customer_a, merged=candidate.customer_b, by=admin_user
    )
    page = client.get(reverse("customers:duplicates")).content.decode()
    assert reverse("customers:merge_undo", args=[merge.pk]) not in page
    r = client.post(reverse("customers:merge_undo", args=[merge.pk]), headers=HTMX)
    assert r.status_code == 403
    assert "Undoing a merge is not part of your role" in r.content.decode()
    merge.refresh_from_db()
    assert merge.undone_at is None
