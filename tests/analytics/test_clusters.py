"""Customer clustering on generated histories whose groups are known: k found by
silhouette, every group in its own cluster, profiles named so a marketer reads them,
numbers kept across refreshes, scores written back, the page, the API and the CLI."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from panorama.accounts.models import Role
from panorama.analytics.models import CustomerScore, ModelRun
from panorama.marketing import selectors as marketing
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

END = datetime.date(2024, 12, 31)


def day(days_before_end: int) -> str:
    return (END - datetime.timedelta(days=days_before_end)).isoformat()


def history(extra: int = 0) -> list[str]:
    """Three kinds of customer, 30 of each (``extra`` more loyal ones on a refresh):
    loyal big spenders buying every month for two years, lapsed one-off buyers of two
    years ago, and newcomers of the last weeks."""
    rows = ["customer_id,date,amount"]
    for n in range(30 + extra):
        rows += [f"loyal{n},{day(15 + 30 * m + n % 7)},{180 + n % 9 * 5}" for m in range(24)]
    for n in range(30):
        rows.append(f"lapsed{n},{day(700 + n * 3)},{15 + n % 5}")
    for n in range(30):
        rows.append(f"new{n},{day(n % 20)},{40 + n % 6 * 2}")
    return rows


def load(tmp_path, user, rows, name="h.csv"):
    path = tmp_path / name
    path.write_text("\n".join(rows) + "\n")
    call_command("import_orders", str(path), "--user", user.username, stdout=StringIO())


def run(*args) -> dict:
    out = StringIO()
    call_command("analytics", *args, stdout=out)
    return json.loads(out.getvalue())


def clusters_of(prefix: str) -> set[int | None]:
    return set(
        CustomerScore.objects.filter(customer__identities__value__startswith=prefix).values_list(
            "cluster", flat=True
        )
    )


@pytest.fixture
def analyst(db):
    return UserFactory(username="ana-lista", role=Role.ANALYST)


def test_the_known_groups_come_out_as_the_clusters(tmp_path, rep, analyst):
    load(tmp_path, rep, history())
    card = run("cluster", "--json", "--user", analyst.username)
    assert card["k"] == 3 and card["customers"] == 90 and card["scored"] == 90
    assert card["silhouette"] == max(card["silhouettes"].values()) > 0.5
    groups = {prefix: clusters_of(prefix) for prefix in ("loyal", "lapsed", "new")}
    assert all(len(numbers) == 1 for numbers in groups.values()), groups
    assert len({next(iter(n)) for n in groups.values()}) == 3
    profiles = {p["cluster"]: p for p in card["clusters"]}
    loyal = profiles[next(iter(groups["loyal"]))]
    assert loyal["size"] == 30 and loyal["means"]["frequency"] == 24
    traits = {(t["feature"], t["direction"]) for t in loyal["traits"]}
    assert ("frequency", "high") in traits and ("monetary", "high") in traits
    assert "Frequent" in loyal["name"] or "Big spenders" in loyal["name"]
    lapsed = profiles[next(iter(groups["lapsed"]))]
    assert ("recency_days", "high") in {(t["feature"], t["direction"]) for t in lapsed["traits"]}
    new = profiles[next(iter(groups["new"]))]
    assert new["means"]["tenure_days"] < 20


def test_numbers_stay_with_their_group_across_refreshes(tmp_path, rep, analyst):
    load(tmp_path, rep, history())
    run("cluster", "--json", "--user", analyst.username)
    before = {p: clusters_of(p) for p in ("loyal", "lapsed", "new")}
    load(tmp_path, rep, history(extra=6), name="more.csv")  # six more loyal customers
    card = run("cluster", "--json", "--user", analyst.username)
    after = {p: clusters_of(p) for p in ("loyal", "lapsed", "new")}
    assert after == before
    assert card["scored"] == 96
    assert ModelRun.objects.filter(kind=ModelRun.Kind.CLUSTER).count() == 2


def test_a_fixed_k_and_the_errors(tmp_path, rep, analyst):
    with pytest.raises(CommandError, match="Too few customers"):
        run("cluster", "--json", "--user", analyst.username)
    load(tmp_path, rep, history())
    assert run("cluster", "--k", "4", "--json", "--user", analyst.username)["k"] == 4
    with pytest.raises(CommandError, match="between 2 and 8"):
        run("cluster", "--k", "12", "--json", "--user", analyst.username)
    with pytest.raises(CommandError, match="Only analysts"):
        run("cluster", "--json", "--user", rep.username)


def test_the_page_the_api_and_a_segment_on_a_cluster(tmp_path, rep, analyst, client, api_as):
    load(tmp_path, rep, history())
    client.force_login(analyst)
    empty = client.get(reverse("analytics:clusters"))
    assert empty.status_code == 200 and "No clusters yet" in empty.content.decode()
    response = client.post(reverse("analytics:clusters"), {"k": ""})
    assert response.status_code == 302
    page = client.get(reverse("analytics:clusters")).content.decode()
    assert "Customers per cluster" in page and page.count('data-cluster="') == 3
    assert "Days since last purchase" in page
    # The API: the same profiles; how many of them a user sees follows his scope.
    profiles = api_as(analyst).get("/analytics/clusters").json()
    assert sorted(p["size"] for p in profiles) == [30, 30, 30]
    assert all(p["visible"] == p["size"] for p in profiles)
    manager = UserFactory(role=Role.SALES_MANAGER, teams=[TeamFactory(name="Far")])
    assert all(p["visible"] == 0 for p in api_as(manager).get("/analytics/clusters").json())
    assert api_as(rep).get("/analytics/clusters").status_code == 403
    assert api_as(rep).post("/analytics/models/cluster", json={}).status_code == 403
    assert api_as(analyst).post("/analytics/models/cluster", json={"k": 1}).status_code == 422
    assert api_as(analyst).post("/analytics/models/cluster", json={"k": 3}).json()["k"] == 3
    # A cluster is a segment condition, named in the builder's choices.
    loyal = next(iter(clusters_of("loyal")))
    rules = {"op": "and", "rules": [{"field": "score.cluster", "op": "eq", "value": str(loyal)}]}
    assert marketing.segment_count(user=analyst, rules=rules) == 30
    builder = client.post(
        reverse("marketing:segment_builder"),
        {"mode": "builder", "match": "and", "f0": "score.cluster", "o0": "eq"},
    ).content.decode()
    assert f'value="{loyal}"' in builder


def test_a_rep_cannot_open_the_page(client, rep):
    client.force_login(rep)
    assert client.get(reverse("analytics:clusters")).status_code == 403
