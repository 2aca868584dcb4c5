import pytest

from panorama.accounts.models import Role
from panorama.customers.duplicates.services.scan import duplicates_scan
from panorama.customers.models import Customer, DuplicateCandidate, Identity

from ..factories import CustomerFactory, IdentityFactory, InteractionFactory, UserFactory

pytestmark = pytest.mark.django_db


def same_email_pair(owner=None, email="ana@example.com"):
    a = CustomerFactory(first_name="Ana", last_name="García", owner=owner)
    b = CustomerFactory(first_name="Ana", last_name="Garcia", owner=owner)
    IdentityFactory(customer=a, kind=Identity.Kind.EMAIL, value=email)
    IdentityFactory(customer=b, kind=Identity.Kind.EMAIL, value=email)
    return a, b


def test_scan_is_queued_and_its_results_listed(api):
    a, b = same_email_pair()

    r = api.post("/duplicates/scan")
    assert r.status_code == 202, r.content
    assert r.json()["task_id"]

    r = api.get("/duplicates")
    assert r.status_code == 200
    [item] = r.json()["items"]
    assert {item["customer_a"]["id"], item["customer_b"]["id"]} == {a.pk, b.pk}
    assert item["customer_a"]["display_name"] in {"Ana García", "Ana Garcia"}
    assert item["score"] > 0.5
    reason = next(r for r in item["reasons"] if r["code"] == "same_email")
    assert reason["text"] == "Same e-mail: ana@example.com"


def test_a_sales_rep_may_not_scan(api_as, rep):
    r = api_as(rep).post("/duplicates/scan")
    assert r.status_code == 403
    assert r.json()["code"] == "forbidden"


def test_merge_then_undo_through_the_api(api):
    a, b = same_email_pair()
    InteractionFactory.create_batch(2, customer=b)
    duplicates_scan()
    candidate = DuplicateCandidate.objects.get()

    r = api.post(f"/duplicates/{candidate.pk}/merge", json={"survivor_id": a.pk})
    assert r.status_code == 201, r.content
    merge = r.json()
    assert merge["survivor"]["id"] == a.pk and merge["merged"]["merged_into_id"] == a.pk
    assert merge["moved"]["channels.interaction.customer"] == 2
    assert merge["kept"] == {"customers.identity.customer": 1}
    assert merge["dropped"] == {}
    assert api.get(f"/customers/{b.pk}").status_code == 404
    assert api.get("/duplicates").json()["items"] == []

    r = api.get("/merges")
    assert [m["id"] for m in r.json()] == [merge["id"]]

    r = api.post(f"/merges/{merge['id']}/undo")
    assert r.status_code == 200, r.content
    assert r.json()["undone_at"] is not None
    assert api.get(f"/customers/{b.pk}").status_code == 200
    assert api.post(f"/merges/{merge['id']}/undo").status_code == 409


def test_dismiss_through_the_api(api):
    same_email_pair()
    duplicates_scan()
    candidate = DuplicateCandidate.objects.get()

    r = api.post(f"/duplicates/{candidate.pk}/dismiss")

    assert r.status_code == 200
    assert r.json()["status"] == "dismissed"
    assert api.get("/duplicates").json()["items"] == []
    assert len(api.get("/duplicates?status=dismissed").json()["items"]) == 1


def test_bad_input_gets_clear_4xx(api):
    a, b = same_email_pair()
    other = CustomerFactory()
    duplicates_scan()
    candidate = DuplicateCandidate.objects.get()

    r = api.post(f"/duplicates/{candidate.pk}/merge", json={"survivor_id": other.pk})
    assert r.status_code == 422
    assert "survivor_id" in r.json()["errors"]

    assert api.post("/duplicates/999999/merge", json={"survivor_id": a.pk}).status_code == 404
    assert api.post(f"/duplicates/{candidate.pk}/merge", json={}).status_code == 422
    assert api.post("/merges/999999/undo").status_code == 404
    assert api.get("/duplicates?status=nonsense").status_code == 422
    assert api.get("/duplicates?cursor=%%%").status_code == 422

    r = api.post("/merges", json={"survivor_id": a.pk, "merged_id": a.pk})
    assert r.status_code == 422
    assert r.json()["errors"] == {"merged_id": ["A customer cannot be merged into itself."]}

    r = api.post("/merges", json={"survivor_id": a.pk, "merged_id": 999999})
    assert r.status_code == 404

    assert api.post("/merges", json={"survivor_id": a.pk, "merged_id": b.pk}).status_code == 201
    r = api.post("/merges", json={"survivor_id": other.pk, "merged_id": b.pk})
    assert r.status_code == 409
    assert r.json()["code"] == "conflict"
    r = api.post(f"/duplicates/{candidate.pk}/merge", json={"survivor_id": a.pk})
    assert r.status_code == 409


def test_a_sales_rep_cannot_merge_outside_his_scope(api_as, rep):
    stranger = UserFactory()
    mine = CustomerFactory(owner=rep)
    a, b = same_email_pair(owner=stranger)
    duplicates_scan()
    candidate = DuplicateCandidate.objects.get()
    client = api_as(rep)

    assert client.get("/duplicates").json()["items"] == []
    r = client.post(f"/duplicates/{candidate.pk}/merge", json={"survivor_id": a.pk})
    assert r.status_code == 404
    assert client.post(f"/duplicates/{candidate.pk}/dismiss").status_code == 404
    assert (
        client.post("/merges", json={"survivor_id": mine.pk, "merged_id": b.pk}).status_code == 404
    )
    assert Customer.objects.filter(merged_into__isnull=False).count() == 0


def test_a_sales_rep_may_not_merge_his_own_customers_but_his_manager_may(api_as, rep, team):
    a, b = same_email_pair(owner=rep)
    a.team = b.team = team
    Customer.objects.bulk_update([a, b], ["team"])
    duplicates_scan()
    candidate = DuplicateCandidate.objects.get()

    for r in (
        api_as(rep).post(f"/duplicates/{candidate.pk}/merge", json={"survivor_id": b.pk}),
        api_as(rep).post("/merges", json={"survivor_id": b.pk, "merged_id": a.pk}),
    ):
        assert r.status_code == 403
        assert r.json()["code"] == "forbidden"
        assert r.json()["detail"].startswith("Merging customers is not part of your role")
    assert Customer.objects.get(pk=a.pk).merged_into_id is None

    manager = UserFactory(role=Role.SALES_MANAGER, managed_teams=[team])
    r = api_as(manager).post(f"/duplicates/{candidate.pk}/merge", json={"survivor_id": b.pk})
    assert r.status_code == 201
    assert Customer.objects.get(pk=a.pk).merged_into_id == b.pk

    r = api_as(rep).post(f"/merges/{r.json()['id']}/undo")
    assert r.status_code == 403
    assert r.json()["detail"].startswith("Undoing a merge is not part of your role")
    assert Customer.objects.get(pk=a.pk).merged_into_id == b.pk


def test_a_sales_rep_cannot_dismiss_his_own_pair_through_the_api(api_as, rep):
    same_email_pair(owner=rep)
    duplicates_scan()
    candidate = DuplicateCandidate.objects.get()

    r = api_as(rep).post(f"/duplicates/{candidate.pk}/dismiss")

    assert r.status_code == 403
    assert r.json()["code"] == "forbidden"
    assert "not duplicates is not part of your role" in r.json()["detail"]
    assert DuplicateCandidate.objects.get().status == DuplicateCandidate.Status.OPEN
    assert len(api_as(rep).get("/duplicates").json()["items"]) == 1


def test_an_analyst_reads_but_cannot_merge(api_as):
    analyst = UserFactory(role=Role.ANALYST)
    a, _b = same_email_pair()
    duplicates_scan()
    candidate = DuplicateCandidate.objects.get()
    client = api_as(analyst)

    assert len(client.get("/duplicates").json()["items"]) == 1
    r = client.post(f"/duplicates/{candidate.pk}/merge", json={"survivor_id": a.pk})
    assert r.status_code == 403
