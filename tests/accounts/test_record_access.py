"""Record-level access: a sales rep works his team's book of business and nothing else.

Teams (a manager of a team sees its sub-teams, two levels down):

    South ── Sevilla ── Cádiz        Madrid

* ``rep_a`` is in Madrid, owns Ana.
* ``rep_b`` is in Sevilla, owns Bea; Ana and Bea share the family phone and a family group.
* Carmen is in Cádiz, Dora in South.
* ``manager`` manages South; service agents and administrators see everyone.

Outside his scope a customer does not exist for the user: 404 on the web and in the API,
absent from lists, search, identify, duplicates and group members.
"""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from panorama.accounts.models import Role, Team, User
from panorama.channels.models import Interaction
from panorama.core.exceptions import PermissionDenied
from panorama.core.models import FieldChange
from panorama.customers.duplicates.selectors import duplicate_candidates
from panorama.customers.duplicates.services.scan import duplicates_scan
from panorama.customers.imports.services.jobs import import_file_sync
from panorama.customers.models import (
    Customer,
    CustomerMerge,
    DuplicateCandidate,
    Group,
    GroupMembership,
    Identity,
    ImportJob,
)
from panorama.customers.services.customer import CustomerData, customer_create, customer_update
from tests.customers.import_files import HEADER_ES, csv_bytes
from tests.factories import (
    AdminFactory,
    CustomerFactory,
    GroupFactory,
    IdentityFactory,
    MembershipFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

FAMILY_PHONE = "+34600112233"


@dataclass
class World:
    south: Team
    sevilla: Team
    cadiz: Team
    madrid: Team
    rep_a: User
    rep_b: User
    manager: User
    ana: Customer
    bea: Customer
    carmen: Customer
    dora: Customer
    family: Group
    pair: DuplicateCandidate


def _person(first: str, last: str, *, team: Team, owner: User | None, national_id: str):
    customer = CustomerFactory(first_name=first, last_name=last, team=team, owner=owner)
    IdentityFactory(customer=customer, kind=Identity.Kind.NATIONAL_ID, value=national_id)
    IdentityFactory(customer=customer, kind=Identity.Kind.PHONE, value=FAMILY_PHONE)
    IdentityFactory(
        customer=customer, kind=Identity.Kind.EMAIL, value=f"{first.lower()}@example.com"
    )
    return customer


@pytest.fixture
def world(db) -> World:
    south = TeamFactory(name="South")
    sevilla = TeamFactory(name="Sevilla", parent=south)
    cadiz = TeamFactory(name="Cádiz", parent=sevilla)
    madrid = TeamFactory(name="Madrid")
    rep_a = UserFactory(username="rep_a", role=Role.SALES_REP, teams=[madrid])
    rep_b = UserFactory(username="rep_b", role=Role.SALES_REP, teams=[sevilla])
    manager = UserFactory(username="manager", role=Role.SALES_MANAGER, managed_teams=[south])
    ana = _person("Ana", "Arroyo", team=madrid, owner=rep_a, national_id="12345678Z")
    bea = _person("Beatriz", "Zamora", team=sevilla, owner=rep_b, national_id="87654321X")
    carmen = _person("Carmen", "Cuesta", team=cadiz, owner=None, national_id="11111111H")
    dora = _person("Dora", "Duran", team=south, owner=None, national_id="22222222J")
    family = GroupFactory(name="Familia")
    MembershipFactory(group=family, customer=ana)
    MembershipFactory(group=family, customer=bea)
    low, high = sorted([ana, bea], key=lambda c: c.pk)
    pair = DuplicateCandidate.objects.create(
        customer_a=low,
        customer_b=high,
        score=0.8,
        reasons=[{"code": "same_phone", "detail": FAMILY_PHONE}],
    )
    return World(
        south, sevilla, cadiz, madrid, rep_a, rep_b, manager, ana, bea, carmen, dora, family, pair
    )


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def _shows(html: str, customer: Customer) -> bool:
    """The page names the customer or links to his ficha (the query itself may be echoed)."""
    return customer.display_name in html or reverse("customers:detail", args=[customer.pk]) in html


def _bea_footprint(bea: Customer) -> dict:
    """Everything a write on Bea would change."""
    bea.refresh_from_db()
    return {
        "notes": bea.notes,
        "merged_into": bea.merged_into_id,
        "identities": bea.identities.count(),
        "addresses": bea.addresses.count(),
        "consents": bea.consents.count(),
        "holdings": bea.holdings.count(),
        "incidents": bea.billing_incidents.count(),
        "interactions": Interaction.objects.filter(customer=bea).count(),
        "memberships": GroupMembership.objects.filter(customer=bea).count(),
        "history": FieldChange.objects.filter(customer_id=bea.pk).count(),
    }


# --- the web ----------------------------------------------------------------------------


def test_a_rep_gets_404_on_the_ficha_of_another_team(client, world):
    client.force_login(world.rep_a)

    assert client.get(reverse("customers:detail", args=[world.bea.pk])).status_code == 404
    assert client.get(reverse("customers:detail", args=[world.ana.pk])).status_code == 200


def test_a_rep_cannot_log_a_contact_on_a_customer_of_another_team(client, world):
    client.force_login(world.rep_a)
    before = _bea_footprint(world.bea)
    url = reverse("channels:interaction_create", args=[world.bea.pk])
    data = {"channel": "phone", "direction": "inbound", "subject": "Called"}

    assert client.post(url, data).status_code == 404
    assert client.post(url, data, headers={"HX-Request": "true"}).status_code == 404
    assert _bea_footprint(world.bea) == before


def test_the_list_and_its_search_show_only_the_reps_customers(client, world):
    client.force_login(world.rep_a)

    page = client.get(reverse("customers:list")).content.decode()
    searched = client.get(reverse("customers:list"), {"q": "Zamora"}).content.decode()

    assert _shows(page, world.ana)
    assert not any(_shows(page, c) for c in (world.bea, world.carmen, world.dora))
    assert not _shows(searched, world.bea)


@pytest.mark.parametrize("query", ["Zamora", "Beatriz", "87654321X", "beatriz@example.com"])
def test_the_navbar_search_never_finds_a_customer_of_another_team(client, world, query):
    client.force_login(world.rep_a)
    url = reverse("customers:search")

    as_you_type = client.get(url, {"q": query}, headers={"HX-Request": "true"})
    on_enter = client.get(url, {"q": query})

    assert as_you_type.status_code == 200
    assert not _shows(as_you_type.content.decode(), world.bea)
    assert on_enter.status_code == 302
    assert on_enter["Location"] != reverse("customers:detail", args=[world.bea.pk])


def test_a_shared_phone_takes_the_rep_to_his_own_customer(client, world):
    """Ana and Bea share the phone: for rep A it identifies Ana alone, no ambiguity."""
    client.force_login(world.rep_a)

    response = client.get(reverse("customers:search"), {"q": "600 11 22 33"})

    assert response["Location"] == reverse("customers:detail", args=[world.ana.pk])


def test_the_ficha_does_not_name_family_members_of_another_team(client, world):
    client.force_login(world.rep_a)

    html = client.get(reverse("customers:detail", args=[world.ana.pk])).content.decode()

    assert "Familia" in html
    assert not _shows(html, world.bea)


def test_duplicates_of_another_team_cannot_be_seen_merged_or_dismissed(client, world):
    client.force_login(world.rep_a)
    pair = world.pair
    before = _bea_footprint(world.bea)

    page = client.get(reverse("customers:duplicates")).content.decode()
    merge = client.post(
        reverse("customers:duplicate_merge", args=[pair.pk]), {"survivor": world.ana.pk}
    )
    dismiss = client.post(reverse("customers:duplicate_dismiss", args=[pair.pk]))

    assert not _shows(page, world.bea)
    assert merge.status_code == 404 and dismiss.status_code == 404
    pair.refresh_from_db()
    assert pair.status == DuplicateCandidate.Status.OPEN
    assert _bea_footprint(world.bea) == before


def test_a_merge_of_another_teams_customers_cannot_be_undone(client, world, admin_user):
    merge = CustomerMerge.objects.create(
        survivor=world.bea, merged=world.carmen, merged_by=admin_user
    )
    client.force_login(world.rep_a)

    response = client.post(reverse("customers:merge_undo", args=[merge.pk]))

    assert response.status_code == 404
    merge.refresh_from_db()
    assert merge.undone_at is None


def test_an_import_is_seen_only_by_whoever_started_it_and_admins(client, world, admin_user):
    job = ImportJob.objects.create(
        original_name="sevilla.csv", created_by=world.rep_b, file="x.csv"
    )
    client.force_login(world.rep_a)

    assert client.get(reverse("customers:import_detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("customers:import_mapping", args=[job.pk])).status_code == 404
    assert client.post(reverse("customers:import_undo", args=[job.pk])).status_code == 404
    assert "sevilla.csv" not in client.get(reverse("customers:imports")).content.decode()

    client.force_login(admin_user)
    assert "sevilla.csv" in client.get(reverse("customers:imports")).content.decode()


# --- the API ----------------------------------------------------------------------------

# (method, path under /customers/{bea}, JSON body): everything that reads or writes one
# customer. Bea is outside rep A's scope: each answers 404 and writes nothing.
ON_BEA = [
    ("get", "", None),
    ("patch", "", {"notes": "mine now"}),
    ("get", "/360", None),
    ("get", "/history", None),
    ("get", "/identities", None),
    ("post", "/identities", {"kind": "email", "value": "new@example.com"}),
    ("delete", "/identities/{identity}", None),
    ("post", "/addresses", {"line1": "Calle Sierpes 1", "city": "Sevilla"}),
    ("get", "/consents", None),
    ("post", "/consents", {"purpose": "marketing", "granted": True}),
    (
        "post",
        "/holdings",
        {"product_code": "MORT", "product_name": "Hipoteca", "start_date": "2024-01-01"},
    ),
    ("post", "/billing-incidents", {"kind": "unpaid_invoice", "reference": "F-1", "amount": "9"}),
    ("get", "/interactions", None),
    ("post", "/interactions", {"channel": "phone", "direction": "inbound", "subject": "Hi"}),
]


@pytest.mark.parametrize("method, suffix, body", ON_BEA, ids=[f"{m} {s}" for m, s, _b in ON_BEA])
def test_the_api_answers_404_on_a_customer_of_another_team(api_as, world, method, suffix, body):
    identity = world.bea.identities.first()
    path = f"/customers/{world.bea.pk}" + suffix.format(identity=identity.pk)
    before = _bea_footprint(world.bea)
    rep_a = api_as(world.rep_a)

    response = getattr(rep_a, method)(path, **({"json": body} if body is not None else {}))

    assert response.status_code == 404, response.content
    assert response.json()["code"] == "not_found"
    assert str(world.bea) not in response.content.decode()
    assert _bea_footprint(world.bea) == before

    # The same call on his own customer works: the 404 is the scope, not the call.
    own = f"/customers/{world.ana.pk}" + suffix.format(identity=world.ana.identities.first().pk)
    answer = getattr(rep_a, method)(own, **({"json": body} if body is not None else {}))
    assert answer.status_code in (200, 201, 204), answer.content


def test_an_identity_of_another_customer_cannot_be_removed_through_ones_own(api_as, world):
    identity = world.bea.identities.first()

    response = api_as(world.rep_a).delete(f"/customers/{world.ana.pk}/identities/{identity.pk}")

    assert response.status_code == 404
    assert Identity.objects.filter(pk=identity.pk).exists()


def test_api_lists_and_filters_show_only_the_reps_customers(api_as, world):
    rep_a = api_as(world.rep_a)

    assert _ids(rep_a.get("/customers")) == {world.ana.pk}
    assert _ids(rep_a.get("/customers?search=Zamora")) == set()
    assert _ids(rep_a.get("/customers?search=87654321X")) == set()
    assert _ids(rep_a.get(f"/customers?team_id={world.sevilla.pk}")) == set()
    assert _ids(rep_a.get(f"/customers?owner_id={world.rep_b.pk}")) == set()


@pytest.mark.parametrize("value", ["87654321X", "beatriz@example.com"])
def test_identify_does_not_find_a_customer_of_another_team(api_as, world, value):
    body = api_as(world.rep_a).get("/identify", data={"value": value}).json()

    assert body == {"status": "not_found", "matches": []}


def test_identify_by_a_shared_phone_answers_only_what_the_user_sees(api_as, world, admin_user):
    as_rep = api_as(world.rep_a).get("/identify", data={"value": "600112233"}).json()
    as_admin = api_as(admin_user).get("/identify", data={"value": "600112233"}).json()

    assert as_rep["status"] == "found"
    assert [m["customer"]["id"] for m in as_rep["matches"]] == [world.ana.pk]
    assert as_admin["status"] == "ambiguous" and len(as_admin["matches"]) == 4


def test_group_members_of_another_team_stay_hidden_and_cannot_be_added(api_as, world):
    rep_a = api_as(world.rep_a)
    other = GroupFactory(name="Empresa")

    group = rep_a.get(f"/groups/{world.family.pk}").json()
    ficha = rep_a.get(f"/customers/{world.ana.pk}/360").json()
    added = rep_a.post(f"/groups/{other.pk}/members", json={"customer_id": world.bea.pk})

    assert [m["customer_id"] for m in group["members"]] == [world.ana.pk]
    family = next(g for g in ficha["groups"] if g["id"] == world.family.pk)
    assert family["members"] == []  # Bea is there, but not for rep A
    assert added.status_code == 404
    assert not other.memberships.exists()


def test_a_group_of_another_teams_customers_does_not_exist_for_a_rep(api_as, world, admin_user):
    rep_a = api_as(world.rep_a)
    zamora = GroupFactory(name="Familia Zamora")
    MembershipFactory(group=zamora, customer=world.bea)

    read = rep_a.get(f"/groups/{zamora.pk}")
    added = rep_a.post(f"/groups/{zamora.pk}/members", json={"customer_id": world.ana.pk})

    assert read.status_code == 404 and "Zamora" not in read.content.decode()
    assert added.status_code == 404
    assert list(zamora.memberships.values_list("customer_id", flat=True)) == [world.bea.pk]
    assert rep_a.get(f"/groups/{world.family.pk}").json()["name"] == "Familia"  # Ana is in it
    assert api_as(world.rep_b).get(f"/groups/{zamora.pk}").json()["name"] == "Familia Zamora"
    assert api_as(admin_user).get(f"/groups/{zamora.pk}").json()["name"] == "Familia Zamora"


def test_a_rep_fills_the_group_he_just_created(api_as, world):
    rep_a = api_as(world.rep_a)

    group = rep_a.post("/groups", json={"name": "Arroyo", "kind": "family"}).json()
    added = rep_a.post(f"/groups/{group['id']}/members", json={"customer_id": world.ana.pk})

    assert added.status_code == 201, added.content
    members = rep_a.get(f"/groups/{group['id']}").json()["members"]
    assert [m["customer_id"] for m in members] == [world.ana.pk]


def test_duplicates_and_merges_of_another_team_are_invisible_through_the_api(
    api_as, world, admin_user
):
    rep_a = api_as(world.rep_a)
    done = CustomerMerge.objects.create(
        survivor=world.bea, merged=world.carmen, merged_by=admin_user
    )
    before = _bea_footprint(world.bea)

    assert rep_a.get("/duplicates").json()["items"] == []
    assert rep_a.get("/merges").json() == []
    calls = [
        rep_a.post(f"/duplicates/{world.pair.pk}/merge", json={"survivor_id": world.ana.pk}),
        rep_a.post(f"/duplicates/{world.pair.pk}/dismiss"),
        rep_a.post("/merges", json={"survivor_id": world.ana.pk, "merged_id": world.bea.pk}),
        rep_a.post("/merges", json={"survivor_id": world.bea.pk, "merged_id": world.ana.pk}),
        rep_a.post(f"/merges/{done.pk}/undo"),
    ]

    assert [c.status_code for c in calls] == [404] * len(calls)
    assert _bea_footprint(world.bea) == before
    world.pair.refresh_from_db()
    done.refresh_from_db()
    assert world.pair.status == DuplicateCandidate.Status.OPEN and done.undone_at is None


def test_imports_of_another_user_are_invisible_through_the_api(api_as, world):
    job = ImportJob.objects.create(
        original_name="sevilla.csv", created_by=world.rep_b, file="x.csv"
    )
    rep_a = api_as(world.rep_a)

    assert rep_a.get("/imports").json() == []
    for call in (
        rep_a.get(f"/imports/{job.pk}"),
        rep_a.get(f"/imports/{job.pk}/report"),
        rep_a.post(f"/imports/{job.pk}/undo"),
    ):
        assert call.status_code == 404
    assert [j["id"] for j in api_as(world.rep_b).get("/imports").json()] == [job.pk]


def test_an_import_never_updates_a_customer_the_importer_cannot_see(world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "clientes.csv"
    row = ["Beatriz", "Robles", "87654321X", "", "", "", "", ""]
    path.write_bytes(csv_bytes([row], header=HEADER_ES))

    job = import_file_sync(path=path, by=world.rep_a)

    # Bea is not his to update: the row makes a customer of his own, as it would if no
    # one held the DNI, and the duplicate scan shows the pair to whoever sees both.
    assert (job.created_count, job.updated_count, job.rejected_count) == (1, 0, 0)
    world.bea.refresh_from_db()
    assert world.bea.last_name == "Zamora"
    created = Customer.objects.get(import_job=job)
    assert (created.owner_id, created.team_id) == (world.rep_a.pk, world.madrid.pk)
    duplicates_scan()
    pair = {world.bea.pk, created.pk}
    admin_sees = {
        frozenset((c.customer_a_id, c.customer_b_id))
        for c in duplicate_candidates(user=AdminFactory(username="root")).items
    }
    assert pair in admin_sees
    assert all(
        {c.customer_a_id, c.customer_b_id} != pair
        for c in duplicate_candidates(user=world.rep_a).items
    )


def test_a_rep_sees_the_customers_he_owns_in_any_team(api_as, world):
    mine_elsewhere = CustomerFactory(team=world.sevilla, owner=world.rep_a)

    assert _ids(api_as(world.rep_a).get("/customers")) == {world.ana.pk, mine_elsewhere.pk}


# --- managers, agents and administrators ------------------------------------------------


def test_a_manager_sees_the_customers_of_his_team_and_its_sub_teams(client, api_as, world):
    manager = api_as(world.manager)

    assert _ids(manager.get("/customers")) == {world.dora.pk, world.bea.pk, world.carmen.pk}
    assert manager.get(f"/customers/{world.carmen.pk}/360").status_code == 200
    assert manager.patch(f"/customers/{world.bea.pk}", json={"notes": "ok"}).status_code == 200
    assert manager.get(f"/customers/{world.ana.pk}").status_code == 404
    identified = manager.get("/identify", data={"value": FAMILY_PHONE}).json()
    assert {m["customer"]["id"] for m in identified["matches"]} == {
        world.bea.pk,
        world.carmen.pk,
        world.dora.pk,
    }
    client.force_login(world.manager)
    assert client.get(reverse("customers:detail", args=[world.carmen.pk])).status_code == 200
    assert client.get(reverse("customers:detail", args=[world.ana.pk])).status_code == 404


def test_a_manager_of_a_sub_team_does_not_see_the_parent_team(api_as, world):
    sevilla_manager = UserFactory(role=Role.SALES_MANAGER, managed_teams=[world.sevilla])

    assert _ids(api_as(sevilla_manager).get("/customers")) == {world.bea.pk, world.carmen.pk}


@pytest.mark.parametrize(
    "make_user",
    [
        lambda: AdminFactory(username="root"),
        lambda: UserFactory(username="admin_role", role=Role.ADMIN),
        lambda: UserFactory(username="agent", role=Role.SERVICE_AGENT),
    ],
    ids=["superuser", "admin role", "service agent"],
)
def test_admins_and_agents_see_every_customer(client, api_as, world, make_user):
    user = make_user()
    everyone = {world.ana.pk, world.bea.pk, world.carmen.pk, world.dora.pk}

    assert _ids(api_as(user).get("/customers")) == everyone
    client.force_login(user)
    for customer_id in everyone:
        assert client.get(reverse("customers:detail", args=[customer_id])).status_code == 200
    html = client.get(reverse("customers:detail", args=[world.ana.pk])).content.decode()
    assert _shows(html, world.bea)  # the whole family


def test_a_rep_cannot_file_a_customer_under_another_team(api_as, world):
    as_rep = api_as(world.rep_a)
    before = Customer.objects.count()

    refused = as_rep.post(
        "/customers",
        json={
            "first_name": "Eva",
            "last_name": "Gil",
            "team_id": world.sevilla.pk,
            "owner_id": world.rep_b.pk,
        },
    )
    assert refused.status_code == 403
    assert "assign" in refused.json()["detail"]
    assert Customer.objects.count() == before

    mine = as_rep.post("/customers", json={"first_name": "Eva", "team_id": world.madrid.pk})
    assert mine.status_code == 201
    assert Customer.objects.get(pk=mine.json()["id"]).owner_id == world.rep_a.pk


def test_a_rep_cannot_hand_his_customer_to_another_team(api_as, world):
    as_rep = api_as(world.rep_a)
    refused = as_rep.patch(
        f"/customers/{world.ana.pk}",
        json={"owner_id": world.rep_b.pk, "team_id": world.sevilla.pk},
    )
    assert refused.status_code == 403
    world.ana.refresh_from_db()
    assert (world.ana.owner_id, world.ana.team_id) == (world.rep_a.pk, world.madrid.pk)

    # Within his own team he may hand it over: it stays in his scope.
    moved = as_rep.patch(f"/customers/{world.ana.pk}", json={"owner_id": world.rep_b.pk})
    assert moved.status_code == 200
    world.ana.refresh_from_db()
    assert world.ana.owner_id == world.rep_b.pk


def test_a_rep_cannot_file_a_customer_under_another_team_even_as_its_owner(api_as, world):
    as_rep = api_as(world.rep_a)
    before = Customer.objects.count()

    for owner in ({}, {"owner_id": world.rep_a.pk}):
        refused = as_rep.post(
            "/customers", json={"first_name": "Eva", "team_id": world.sevilla.pk, **owner}
        )
        assert refused.status_code == 403, refused.content
        assert refused.json()["detail"] == (
            "You can only assign customers to yourself or to a team you belong to or manage."
        )
    assert Customer.objects.count() == before

    # Nor move his own customer there, though he would still see it as its owner.
    for change in ({"team_id": world.sevilla.pk}, {"team_id": world.sevilla.pk, "notes": "x"}):
        assert as_rep.patch(f"/customers/{world.ana.pk}", json=change).status_code == 403
    world.ana.refresh_from_db()
    assert (world.ana.owner_id, world.ana.team_id, world.ana.notes) == (
        world.rep_a.pk,
        world.madrid.pk,
        "",
    )


def test_the_web_form_files_a_new_customer_under_the_reps_own_team(client, world):
    client.force_login(world.rep_a)

    r = client.post(
        reverse("customers:create"),
        {
            "kind": "person",
            "first_name": "Eva",
            "last_name": "Gil",
            "team": world.sevilla.pk,  # no such field: a forged one changes nothing
            "team_id": world.sevilla.pk,
            "owner_id": world.rep_b.pk,
        },
    )

    assert r.status_code in (200, 302), r.status_code
    eva = Customer.objects.get(first_name="Eva", last_name="Gil")
    assert (eva.owner_id, eva.team_id) == (world.rep_a.pk, world.madrid.pk)


def test_the_service_refuses_another_team_whoever_calls_it(world):
    with pytest.raises(PermissionDenied):
        customer_create(
            data=CustomerData(first_name="Eva", team=world.sevilla, owner=world.rep_a),
            by=world.rep_a,
        )
    with pytest.raises(PermissionDenied):
        customer_update(customer=world.ana, by=world.rep_a, changes={"team": world.sevilla})
    # A customer he owns in another team keeps its team when he edits it.
    mine_elsewhere = CustomerFactory(team=world.sevilla, owner=world.rep_a)
    customer_update(customer=mine_elsewhere, by=world.rep_a, changes={"notes": "called"})
    # The manager of both teams moves customers between them; the system files anywhere.
    customer_update(customer=world.carmen, by=world.manager, changes={"team": world.sevilla})
    customer_create(data=CustomerData(first_name="Eva", team=world.madrid), by=None)


def test_a_manager_may_move_customers_between_the_teams_he_manages(api_as, world):
    moved = api_as(world.manager).patch(
        f"/customers/{world.carmen.pk}", json={"team_id": world.sevilla.pk}
    )
    assert moved.status_code == 200
    world.carmen.refresh_from_db()
    assert world.carmen.team_id == world.sevilla.pk


def test_an_import_answers_the_same_whether_or_not_a_hidden_customer_holds_an_identifier(
    world, tmp_path, settings
):
    """A rep must not learn from an import which DNIs, e-mails or phones other teams'
    customers hold: a held identifier and a free one get the same answer."""
    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "clientes.csv"
    rows = [
        ["Beatriz", "Robles", "87654321X", "", "", "", "", ""],  # Bea's DNI (hidden)
        ["Bruno", "Robles", "45678912S", "", "", "", "", ""],  # a DNI no one holds
        ["Beatriz", "Robles", "", "", "beatriz@example.com", "", "", ""],  # Bea's e-mail
        ["Bruno", "Robles", "", "", "bruno@example.com", "", "", ""],  # a free e-mail
        ["Familia", "Arroyo", "", FAMILY_PHONE, "", "", "", ""],  # Ana's phone, and Bea's
    ]
    path.write_bytes(csv_bytes(rows, header=HEADER_ES))

    job = import_file_sync(path=path, by=world.rep_a)

    # Hidden and free identifiers alike make new customers; the family phone updates Ana,
    # the one holder he sees, as it would if Bea did not exist.
    assert (job.created_count, job.updated_count, job.rejected_count) == (4, 1, 0)
    assert not job.row_errors.exists()
    world.ana.refresh_from_db()
    world.bea.refresh_from_db()
    assert world.ana.first_name == "Familia"
    assert (world.bea.first_name, world.bea.last_name) == ("Beatriz", "Zamora")


def test_an_empty_group_is_seen_by_its_creator_only(api_as, world, admin_user):
    created = api_as(world.rep_a).post("/groups", json={"name": "Arroyo", "kind": "family"})
    group_id = created.json()["id"]

    # Its name alone tells something about customers: another team's rep gets a 404,
    # whoever sees every customer sees it, and so does its creator.
    assert api_as(world.rep_b).get(f"/groups/{group_id}").status_code == 404
    joined = api_as(world.rep_b).post(
        f"/groups/{group_id}/members", json={"customer_id": world.bea.pk}
    )
    assert joined.status_code == 404
    assert api_as(admin_user).get(f"/groups/{group_id}").json()["name"] == "Arroyo"
    assert api_as(world.rep_a).get(f"/groups/{group_id}").json()["members"] == []


def test_a_rep_cannot_change_a_case_of_a_customer_of_another_team(api_as, client, world):
    from panorama.service.services.case import case_open

    beas = case_open(by=None, customer_id=world.bea.pk, subject="Sin línea")
    anas = case_open(by=None, customer_id=world.ana.pk, subject="Sin línea")
    rep_a = api_as(world.rep_a)

    answer = rep_a.patch(f"/cases/{beas.pk}", json={"priority": "urgent"})
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"
    client.force_login(world.rep_a)
    page = client.post(
        reverse("service:case_edit", args=[beas.pk]), {"type": "question", "priority": "urgent"}
    )
    assert page.status_code == 404
    beas.refresh_from_db()
    assert beas.priority == "normal" and not beas.messages.exists()

    # His own customer's case: the 404 is the scope, not the call.
    assert rep_a.patch(f"/cases/{anas.pk}", json={"priority": "urgent"}).status_code == 200
