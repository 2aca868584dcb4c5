"""``panorama import orders``: a company's order history, from the command line (at once)
and the API (queued for the task worker)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from panorama.accounts.models import Role
from panorama.analytics.models import Purchase, PurchaseImport, PurchaseLine
from panorama.cli import ALIASES
from panorama.customers.models import Customer, Identity
from panorama.customers.selectors import identify
from tests.factories import CustomerFactory, IdentityFactory, UserFactory

pytestmark = pytest.mark.django_db

LINES = """order_id,customer_id,date,amount,product,quantity
A-1,erp-7,2024-01-05,10.50,Tea,1
A-1,erp-7,2024-01-05,4.50,Cup,2
A-2,erp-8,2024-02-01,99.00,Kettle,1
A-3,erp-7,2024-03-09,12.00,Tea,1
"""


def run(tmp_path, text, *args, name="orders.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    from io import StringIO

    out = StringIO()
    call_command("import_orders", str(path), "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_cli_alias_runs_the_order_import():
    assert ALIASES[("import", "orders")] == ["import_orders"]


def test_rows_sharing_an_order_id_are_the_lines_of_one_order(tmp_path):
    report = run(tmp_path, LINES)
    assert report["orders_created"] == 3 and report["rejected"] == 0
    order = Purchase.objects.get(external_id="A-1")
    assert order.amount == pytest.approx(15) and order.quantity == 3
    assert sorted(
        PurchaseLine.objects.filter(purchase=order).values_list("product", flat=True)
    ) == [
        "Cup",
        "Tea",
    ]
    assert str(order.ordered_on) == "2024-01-05"


def test_unknown_customer_ids_become_customers_that_identify_finds(tmp_path):
    run(tmp_path, LINES)
    assert Customer.objects.count() == 2
    [match] = identify(user=None, value="erp-7")
    assert match.customer.purchases.count() == 2
    assert "erp-7" in match.customer.display_name


def test_a_known_external_id_gets_the_orders(tmp_path):
    known = CustomerFactory()
    IdentityFactory(customer=known, kind=Identity.Kind.EXTERNAL, value="erp-8")
    report = run(tmp_path, LINES)
    assert report["customers_created"] == 1
    assert list(known.purchases.values_list("external_id", flat=True)) == ["A-2"]


def test_a_re_run_changes_nothing(tmp_path):
    first = run(tmp_path, LINES)
    again = run(tmp_path, LINES)
    assert first["orders_created"] == 3
    assert again["orders_created"] == 0 and again["orders_unchanged"] == 3
    assert again["customers_created"] == 0
    assert Purchase.objects.count() == 3 and Customer.objects.count() == 2


def test_without_order_id_each_row_is_an_order_and_a_re_run_is_idempotent(tmp_path):
    text = "customer_id,date,amount\nc1,2024-01-01,5\nc1,2024-01-01,5\nc2,2024-01-02,7.25\n"
    assert run(tmp_path, text)["orders_created"] == 3  # two equal rows: two orders
    assert run(tmp_path, text)["orders_created"] == 0
    assert Purchase.objects.count() == 3


def test_every_bad_row_is_reported_with_all_its_reasons(tmp_path):
    text = (
        "customer_id,date,amount,order_id\n"
        "c1,2024-01-01,5,O1\n"
        ",31/01/2024,abc,O2\n"  # three problems in one row
        "c2,2024-01-01,-3,O3\n"
        "c9,2024-01-02,1,O1\n"  # O1 belongs to c1 on 2024-01-01
        "c3,2024-01-01,1.234,O4\n"
    )
    tmp_rejected = tmp_path / "rejected.csv"
    report = run(tmp_path, text, "--rejected", str(tmp_rejected))
    assert report["orders_created"] == 1 and report["rejected"] == 4
    by_row = {e["row"]: {p["field"] for p in e["problems"]} for e in report["errors"]}
    assert by_row == {
        3: {"customer_id", "date", "amount"},
        4: {"amount"},
        5: {"order_id"},
        6: {"amount"},
    }
    rejected = tmp_rejected.read_text(encoding="utf-8-sig").splitlines()
    assert rejected[0].startswith("customer_id,date,amount,order_id,Row")
    assert len(rejected) == 5 and "not an ISO date" in rejected[1]


def test_a_file_without_the_required_columns_is_refused(tmp_path):
    from django.core.management.base import CommandError

    path = tmp_path / "x.csv"
    path.write_text("client,when\n1,2024-01-01\n")
    with pytest.raises(CommandError, match="missing: customer_id, date, amount"):
        call_command("import_orders", str(path))
    assert not PurchaseImport.objects.exists()


def test_a_file_that_is_not_csv_is_refused_with_its_line(tmp_path):
    from django.core.management.base import CommandError

    path = tmp_path / "x.csv"
    huge = b"x" * 200_000  # past the CSV reader's cell limit
    path.write_bytes(b"customer_id,date,amount\nc1,2024-01-01,5\nc2,2024-01-01," + huge + b"\n")
    with pytest.raises(CommandError, match="line 3"):
        call_command("import_orders", str(path))
    assert not Purchase.objects.exists()


def test_new_customers_belong_to_the_importing_rep(tmp_path, rep):
    path = tmp_path / "o.csv"
    path.write_text(LINES)
    call_command("import_orders", str(path), "--user", rep.username, stdout=None)
    assert set(Customer.objects.values_list("owner", flat=True)) == {rep.pk}
    assert len(identify(user=rep, value="erp-8")) == 1


def test_the_api_queues_the_history_and_answers_4xx_on_a_bad_file(
    api, api_as, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    text = LINES + "A-9,erp-9,31/12/2024,x,Pot,1\n"
    upload = SimpleUploadedFile("h.csv", text.encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks() as queued:
        answer = api.client.post(
            "/api/v1/analytics/imports/orders",
            {"file": upload},
            headers={"Authorization": f"Bearer {api.key}"},
        )
    assert answer.status_code == 202, answer.content
    body = answer.json()
    status_url = f"/api/v1/analytics/imports/orders/{body['id']}"
    assert body["status"] == "queued" and body["status_url"] == status_url
    assert body["progress"] == 0 and body["total_rows"] == 5 and body["errors"] == []
    assert not Purchase.objects.exists(), "the request imports nothing: the task does"
    waiting = api.get(status_url).json()
    assert waiting["status"] == "queued" and waiting["orders_created"] == 0

    # What the worker does once the request has committed (the configured task backend).
    with django_capture_on_commit_callbacks(execute=True):
        for task in queued:
            task()
    done = api.get(status_url).json()
    assert done["status"] == "done" and done["progress"] == 100
    assert done["rows"] == 5 and done["orders_created"] == 3 and done["customers_created"] == 2
    assert done["rejected"] == 1 and [e["row"] for e in done["errors"]] == [6]
    reasons = " ".join(p["message"] for p in done["errors"][0]["problems"])
    assert "31/12/2024 is not an ISO date" in reasons and "x is not a number" in reasons
    assert Purchase.objects.count() == 3
    csv_answer = api.get(f"/analytics/imports/orders/{body['id']}/rejected.csv")
    assert csv_answer.status_code == 200 and csv_answer["Content-Type"] == "text/csv"
    assert b"A-9" in csv_answer.content

    # A header without the required columns is refused at once: nothing is queued.
    bad = SimpleUploadedFile("bad.csv", b"foo,bar\n1,2\n", content_type="text/csv")
    with django_capture_on_commit_callbacks() as queued:
        refused = api.client.post(
            "/api/v1/analytics/imports/orders",
            {"file": bad},
            headers={"Authorization": f"Bearer {api.key}"},
        )
    assert refused.status_code == 422 and "customer_id" in refused.json()["detail"]
    assert not queued and PurchaseImport.objects.count() == 1
    # another user's import does not exist for him; an analyst (read-only) may not import
    analyst = UserFactory(role=Role.ANALYST)
    assert api_as(analyst).get(status_url).status_code == 404
    upload = SimpleUploadedFile("h.csv", LINES.encode(), content_type="text/csv")
    forbidden = api.client.post(
        "/api/v1/analytics/imports/orders",
        {"file": upload},
        headers={"Authorization": f"Bearer {api_as(analyst).key}"},
    )
    assert forbidden.status_code == 403 and PurchaseImport.objects.count() == 1


def test_the_import_page_uploads_a_file_and_shows_its_report(
    client, rep, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(rep)
    page = client.get("/analytics/imports/orders/")
    assert page.status_code == 200 and "Import an order history" in page.content.decode()
    text = LINES + "A-9,erp-9,31/12/2024,x,Pot,1\n"
    upload = SimpleUploadedFile("history.csv", text.encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):  # the task, once committed
        answer = client.post("/analytics/imports/orders/", {"file": upload})
    assert answer.status_code == 302
    report = client.get(answer["Location"]).content.decode()
    assert "5 rows: 3 orders created" in report and "1 rows rejected" in report
    assert "not an ISO date" in report and "is not a number" in report
    job = PurchaseImport.objects.get()
    download = client.get(f"/analytics/imports/orders/{job.pk}/rejected.csv")
    assert download.status_code == 200 and b"A-9" in download.content
    bad = SimpleUploadedFile("bad.csv", b"a,b\n1,2\n", content_type="text/csv")
    refused = client.post("/analytics/imports/orders/", {"file": bad})
    assert refused.status_code == 422 and "missing: customer_id" in refused.content.decode()
    # someone else's import does not exist for another rep; an analyst may not import
    other = UserFactory(username="other-rep", role=Role.SALES_REP)
    client.force_login(other)
    assert client.get(f"/analytics/imports/orders/{job.pk}/").status_code == 404
    client.force_login(UserFactory(username="analyst", role=Role.ANALYST))
    upload = SimpleUploadedFile("history.csv", LINES.encode(), content_type="text/csv")
    assert client.post("/analytics/imports/orders/", {"file": upload}).status_code == 403
