"""A static list from a file: each row matched by ``identify`` (or a customer number)
among the customers the user may see, the matches joined with their membership history,
and every other row reported with its reason; a bad file is a 422 and changes nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from panorama.accounts.models import Role
from panorama.marketing.models import ListMembership, StaticList
from panorama.marketing.services.list_import import list_import
from tests.customers.import_files import csv_bytes, xlsx_bytes
from tests.factories import CustomerFactory, IdentityFactory, UserFactory

pytestmark = pytest.mark.django_db


def _file(rows, header=("email",), name="list.csv"):
    maker = xlsx_bytes if name.endswith(".xlsx") else csv_bytes
    return SimpleUploadedFile(name, maker([[r] for r in rows], header=list(header)))


def _members(static_list) -> set[int]:
    return set(
        ListMembership.objects.filter(static_list=static_list, left_at__isnull=True).values_list(
            "customer_id", flat=True
        )
    )


def _reasons(report) -> list[tuple[int, str]]:
    return [(p.row, p.reason) for p in report.problems]


@pytest.fixture
def family(db):
    """Two customers sharing a family e-mail address."""
    a, b = CustomerFactory(), CustomerFactory()
    for c in (a, b):
        IdentityFactory(customer=c, kind="email", value="casa@example.com")
    return a, b


def test_rows_match_by_identifier_and_the_rest_is_reported_with_reasons(
    marketer, world, family, emitted
):
    ana, luis = world["ana"], world["luis"]
    rows = [
        "ANA@example.com",  # any usual form of the identifier
        "nadie@example.com",
        "luis@example.com",
        "casa@example.com",
        "ana@example.com",
        "not an address",
    ]
    with emitted() as events:
        report = list_import(by=marketer, upload=_file(rows), name="Importada")

    static_list = StaticList.objects.get(name="Importada")
    assert report.static_list == static_list
    assert _members(static_list) == {ana.pk, luis.pk}
    assert (report.rows, report.matched, report.joined, report.already) == (6, 2, 2, 0)
    # Row numbers are the spreadsheet's: the header is row 1.
    assert _reasons(report) == [
        (3, "unknown"),
        (5, "ambiguous"),
        (6, "duplicate"),
        (7, "unknown"),
    ]
    assert "2 customers share" in report.problems[1].message
    assert "row 2" in report.problems[2].message
    assert (
        "list.changed",
        {"list_id": static_list.pk, "joined": 2, "left": 0, "by": marketer.pk},
    ) in events


def test_an_existing_list_gains_rows_by_customer_number_from_excel(marketer, world):
    ana, luis, bea = world["ana"], world["luis"], world["bea"]
    static_list = StaticList.objects.create(name="Clientes")
    ListMembership.objects.create(
        static_list=static_list, customer=ana, joined_at="2026-01-01T00:00Z"
    )
    upload = _file([ana.pk, bea.pk, 999_999, "12x"], header=("Cliente",), name="ids.xlsx")

    report = list_import(by=marketer, upload=upload, static_list=static_list)

    assert _members(static_list) == {ana.pk, bea.pk}
    assert luis.pk not in _members(static_list)
    assert (report.joined, report.already) == (1, 1)
    assert _reasons(report) == [(4, "unknown"), (5, "invalid")]
    # The history: Ana's first stay kept, Bea's join dated now.
    assert ListMembership.objects.filter(static_list=static_list).count() == 2


def test_a_file_without_header_starts_with_an_address(marketer, world):
    upload = SimpleUploadedFile("l.csv", b"ana@example.com\r\nluis@example.com\r\n")
    report = list_import(by=marketer, upload=upload, name="Sin cabecera")
    assert report.rows == 2 and report.joined == 2 and report.problems == []


def test_a_manager_matches_only_his_teams_customers(team, world):
    manager = UserFactory(username="boss", role=Role.SALES_MANAGER)
    team.managers.add(manager)
    ours = CustomerFactory(team=team)
    IdentityFactory(customer=ours, kind="email", value="ours@example.com")
    hidden = CustomerFactory()  # another team's
    IdentityFactory(customer=hidden, kind="email", value="hidden@example.com")

    report = list_import(
        by=manager,
        upload=_file(["ours@example.com", "hidden@example.com", "zzz@example.com"]),
        name="Equipo",
    )
    ids = list_import(
        by=manager, upload=_file([hidden.pk], header=("id",)), static_list=report.static_list
    )

    assert _members(report.static_list) == {ours.pk}
    # Another team's customer reads exactly as one who does not exist: the report tells
    # the manager nothing about customers beyond his scope.
    assert _reasons(report) == [(3, "unknown"), (4, "unknown")]
    assert _reasons(ids) == [(2, "unknown")]


def test_the_api_imports_and_refuses_a_bad_file_with_422(api_as, marketer, world, client):
    api = api_as(marketer)
    created = api.post(
        "/marketing/lists/import",
        data={"file": _file(["ana@example.com", "x@example.com"]), "name": "API"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["list"]["name"] == "API" and body["list"]["size"] == 1
    assert body["joined"] == 1
    assert body["problems"] == [
        {
            "row": 3,
            "value": "x@example.com",
            "reason": "unknown",
            "message": body["problems"][0]["message"],
        }
    ]
    list_id = body["list"]["id"]

    added = api.post(
        f"/marketing/lists/{list_id}/import", data={"file": _file(["luis@example.com"])}
    )
    assert added.status_code == 200 and added.json()["list"]["size"] == 2

    for bad in (
        SimpleUploadedFile("notes.pdf", b"%PDF-1.4"),
        SimpleUploadedFile("broken.xlsx", b"not a zip"),
        SimpleUploadedFile("empty.csv", b"email\r\n"),
    ):
        refused = api.post("/marketing/lists/import", data={"file": bad, "name": f"Mal {bad.name}"})
        assert refused.status_code == 422, (bad.name, refused.content)
        assert refused.json()["detail"]
    assert not StaticList.objects.filter(name__startswith="Mal").exists()
    missing = api.post(
        "/marketing/lists/import", data={"file": _file(["ana@example.com"]), "name": " "}
    )
    assert missing.status_code == 422


def test_a_rep_may_not_import_a_list(api_as, rep):
    refused = api_as(rep).post(
        "/marketing/lists/import", data={"file": _file(["ana@example.com"]), "name": "No"}
    )
    assert refused.status_code == 403
    assert not StaticList.objects.exists()


def test_the_lists_page_imports_and_shows_the_report(client, marketer, world):
    client.force_login(marketer)
    page = client.get("/marketing/lists/")
    assert b'id="list-import"' in page.content

    response = client.post(
        "/marketing/lists/import/",
        {"file": _file(["ana@example.com", "nadie@example.com"]), "name": "Desde la web"},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "nadie@example.com" in text and "No customer has this identifier." in text
    assert _members(StaticList.objects.get(name="Desde la web")) == {world["ana"].pk}
    assert "Desde la web" in [row.obj.name for row in response.context["list"].rows]

    bad = client.post(
        "/marketing/lists/import/",
        {"file": SimpleUploadedFile("x.pdf", b"%PDF"), "name": "Mala"},
    )
    assert bad.status_code == 422
    assert "neither a CSV nor an Excel" in bad.content.decode()
