"""/api/v1/catalog/products/{id}/option-groups, options, option-rules: a catalogue manager
manages a product's options through the API with the options pages' services, so the
same refusals come back word for word as a 422 naming the field and nothing is saved;
everyone signed in reads; a rep's writes are 403."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from panorama.catalog.models import OptionGroup, OptionRule, ProductOption
from panorama.catalog.services.options import (
    option_create,
    option_group_create,
    option_rule_create,
)
from panorama.sales.services.quote import LineData, quote_create
from tests.factories import CustomerFactory

from .configurable import fibre_pack
from .factories import ProductFactory

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, int, int]:
    return OptionGroup.objects.count(), ProductOption.objects.count(), OptionRule.objects.count()


def _refused(answer, field: str, message: str) -> None:
    assert answer.status_code == 422, answer.content
    body = answer.json()
    assert message in body["detail"] and field in body["errors"], body


def test_a_manager_builds_a_configurable_product_and_the_configurator_honours_it(
    api_as, manager, emitted
):
    router = ProductFactory(name="Router 5G", list_price=Decimal("100.00"))
    api = api_as(manager)
    base = f"/catalog/products/{router.pk}"

    with emitted() as events:
        made = api.post(f"{base}/option-groups", json={"code": "antena", "name": "Antena"})
    assert made.status_code == 201
    group = made.json()
    assert group["code"] == "antena" and group["min_choices"] == 0 and group["max_choices"] is None
    assert events == [
        ("product.updated", {"product_id": router.pk, "fields": ["options"], "by": manager.pk})
    ]

    for code, name, price, in_group in [
        ("interior", "Antena interior", "0", True),
        ("exterior", "Antena exterior", "12.50", True),
        ("wifi6", "Wi-Fi 6", "9", False),
    ]:
        body = {"code": code, "name": name, "price": price, "group": "antena" if in_group else None}
        assert api.post(f"{base}/options", json=body).status_code == 201
    raised = api.patch(
        f"{base}/option-groups/{group['id']}", json={"min_choices": 1, "max_choices": 1}
    )
    assert raised.status_code == 200 and raised.json()["min_choices"] == 1
    rule = api.post(
        f"{base}/option-rules", json={"option": "wifi6", "kind": "requires", "target": "exterior"}
    )
    assert rule.status_code == 201
    assert {k: rule.json()[k] for k in ("option", "kind", "target")} == {
        "option": "wifi6",
        "kind": "requires",
        "target": "exterior",
    }

    everything = api.get(f"{base}/options").json()
    assert [o["code"] for o in everything["options"]] == ["interior", "exterior", "wifi6"]
    assert everything["options"][1]["group"] == "antena"
    assert everything["options"][1]["price"] == "12.50"
    in_group = api.get(f"{base}/option-groups/{group['id']}/options").json()
    assert [o["code"] for o in in_group] == ["interior", "exterior"]
    assert [g["code"] for g in api.get(f"{base}/option-groups").json()] == ["antena"]
    assert api.get(f"{base}/option-rules").json() == [rule.json()]

    refused = api.post(f"{base}/configure", json={"options": ["wifi6", "interior"]}).json()
    assert [p["code"] for p in refused["problems"]] == ["requires"]
    valid = api.post(f"{base}/configure", json={"options": ["wifi6", "exterior"]}).json()
    assert valid["valid"] and valid["unit_price"] == "121.50"


def test_a_manager_edits_and_deletes(api_as, manager):
    pack = fibre_pack()
    o = {opt.code: opt for opt in pack.options.all()}
    api = api_as(manager)
    base = f"/catalog/products/{pack.pk}"

    tv = api.patch(f"{base}/options/{o['tv'].pk}", json={"name": "Televisión HD", "price": "11"})
    assert tv.status_code == 200
    assert (tv.json()["name"], tv.json()["price"], tv.json()["code"]) == (
        "Televisión HD",
        "11.00",
        "tv",
    )
    moved = api.patch(f"{base}/options/{o['tv'].pk}", json={"group": "lineas"})
    assert moved.json()["group"] == "lineas"
    assert api.patch(f"{base}/options/{o['tv'].pk}", json={"group": None}).json()["group"] is None

    rule = OptionRule.objects.get(option=o["tv"])
    changed = api.patch(
        f"{base}/option-rules/{rule.pk}", json={"kind": "requires", "target": "fibra1g"}
    )
    assert changed.status_code == 200 and changed.json()["target"] == "fibra1g"
    rule.refresh_from_db()
    assert (rule.kind, rule.target_id) == ("requires", o["fibra1g"].pk)
    assert api.delete(f"{base}/option-rules/{rule.pk}").status_code == 204
    assert not OptionRule.objects.filter(pk=rule.pk).exists()

    # An option a rule uses goes with its rules; a quote that sold it keeps its code.
    quote = quote_create(
        by=None,
        customer_id=CustomerFactory().pk,
        lines=[LineData(pack.pk, options=["fibra1g", "movil_basico", "centralita"])],
    )
    assert api.delete(f"{base}/options/{o['centralita'].pk}").status_code == 204
    assert not ProductOption.objects.filter(code="centralita").exists()
    assert not OptionRule.objects.filter(kind="includes").exists()
    assert "centralita" in quote.lines.get().options

    lines = OptionGroup.objects.get(code="lineas")
    assert api.delete(f"{base}/option-groups/{lines.pk}").status_code == 204
    assert ProductOption.objects.get(code="movil_basico").group is None
    assert api.get(f"{base}/option-groups/{lines.pk}").status_code == 404


def test_a_rep_reads_but_every_write_is_a_403_and_changes_nothing(api_as, rep):
    pack = fibre_pack()
    o = {opt.code: opt for opt in pack.options.all()}
    group = OptionGroup.objects.get(code="velocidad")
    rule = OptionRule.objects.get(kind="excludes")
    api = api_as(rep)
    base = f"/catalog/products/{pack.pk}"
    for path in (
        "options",
        "option-groups",
        f"option-groups/{group.pk}",
        f"option-groups/{group.pk}/options",
        f"options/{o['tv'].pk}",
        "option-rules",
        f"option-rules/{rule.pk}",
    ):
        assert api.get(f"{base}/{path}").status_code == 200, path

    before = _counts()
    for method, path, body in [
        ("post", "option-groups", {"code": "x", "name": "X"}),
        ("patch", f"option-groups/{group.pk}", {"name": "Y"}),
        ("delete", f"option-groups/{group.pk}", None),
        ("post", "options", {"code": "x", "name": "X"}),
        ("patch", f"options/{o['tv'].pk}", {"price": "0"}),
        ("delete", f"options/{o['tv'].pk}", None),
        ("post", "option-rules", {"option": "tv", "kind": "requires", "target": "fibra1g"}),
        ("patch", f"option-rules/{rule.pk}", {"kind": "requires"}),
        ("delete", f"option-rules/{rule.pk}", None),
        # Even a body naming nothing that exists: the permission comes first.
        ("post", "options", {"code": "x", "name": "X", "group": "nope"}),
    ]:
        call = getattr(api, method)
        answer = call(f"{base}/{path}", json=body) if body is not None else call(f"{base}/{path}")
        assert answer.status_code == 403, (method, path, answer.content)
        assert answer.json()["detail"] == (
            "Only sales managers and administrators may change the catalogue."
        )
    assert _counts() == before
    assert OptionGroup.objects.get(pk=group.pk).name == "Velocidad"


REFUSED_CREATES = [
    # A required group cannot be created: it has no options yet.
    (
        "option-groups",
        {"code": "router", "name": "Router", "min_choices": 1},
        "min_choices",
        "At least 1 of “Router” must be chosen, and it has 0 options",
    ),
    ("option-groups", {"code": "velocidad", "name": "V"}, "code", "This code is taken."),
    (
        "option-groups",
        {"code": "g", "name": "G", "min_choices": 0, "max_choices": 0},
        "max_choices",
        "At most must be at least 1",
    ),
    ("options", {"code": "tv", "name": "TV"}, "code", "This code is taken."),
    # A code is kept on quotes and orders and typed in rules: letters, digits, - and _.
    ("options", {"code": "fibra 10g", "name": "Fibra"}, "code", "Enter a valid “slug”"),
    ("option-groups", {"code": "tv/extra", "name": "TV"}, "code", "Enter a valid “slug”"),
    (
        "options",
        {"code": "nueva", "name": "Nueva", "price": "-1"},
        "price",
        "Ensure this value is greater than or equal to 0.",
    ),
    ("options", {"code": "nueva", "name": ""}, "name", "Name"),
    (
        "options",
        {"code": "nueva", "name": "Nueva", "position": -1},
        "position",
        "Give a whole number, 0 or more.",
    ),
    (
        "options",
        {"code": "nueva", "name": "Nueva", "group": "nope"},
        "group",
        "has no option group nope.",
    ),
    # A third speed, included with the product, could never be chosen with another.
    (
        "options",
        {"code": "fibra10g", "name": "Fibra 10 Gb", "group": "velocidad", "included": True},
        "included",
        "could never be chosen",
    ),
    # Integrity: IP fija requires Fibra 1 Gb; excluding it makes IP fija impossible.
    (
        "option-rules",
        {"option": "ip_fija", "kind": "excludes", "target": "fibra1g"},
        "target",
        "“IP fija” could never be chosen",
    ),
    (
        "option-rules",
        {"option": "centralita", "kind": "requires", "target": "fibra300"},
        "target",
        "would hold 2 options of “Velocidad”, which allows at most 1",
    ),
    (
        "option-rules",
        {"option": "ip_fija", "kind": "includes", "target": "centralita"},
        "target",
        "each would come free with the other",
    ),
    (
        "option-rules",
        {"option": "tv", "kind": "excludes", "target": "fibra300"},
        "target",
        "This rule exists already.",
    ),
    (
        "option-rules",
        {"option": "tv", "kind": "requires", "target": "tv"},
        "target",
        "An option cannot have a rule on itself.",
    ),
    ("option-rules", {"option": "tv", "kind": "loves", "target": "ip_fija"}, "kind", "Rule"),
    (
        "option-rules",
        {"option": "tv", "kind": "requires", "target": "ajena"},
        "target",
        "Pack Empresa Fibra has no option ajena.",
    ),
]


def test_a_bad_create_is_a_422_with_the_pages_message_and_nothing_saved(api):
    pack = fibre_pack()
    other = ProductFactory(name="Otro")
    option_create(by=None, product=other, code="ajena", name="Ajena")
    before = _counts()
    for path, body, field, message in REFUSED_CREATES:
        _refused(api.post(f"/catalog/products/{pack.pk}/{path}", json=body), field, message)
    assert _counts() == before


def test_edits_and_deletes_that_would_break_the_product_are_refused(api):
    pack = fibre_pack()
    o = {opt.code: opt for opt in pack.options.all()}
    speed = OptionGroup.objects.get(code="velocidad")
    base = f"/catalog/products/{pack.pk}"
    _refused(
        api.patch(f"{base}/option-groups/{speed.pk}", json={"min_choices": 3, "max_choices": None}),
        "min_choices",
        "At least 3 of “Velocidad” must be chosen, and it has 2 options",
    )
    rule = OptionRule.objects.get(kind="excludes")  # tv excludes fibra300
    _refused(
        api.patch(
            f"{base}/option-rules/{rule.pk}", json={"option": "ip_fija", "target": "fibra1g"}
        ),
        "target",
        "“IP fija” could never be chosen",
    )
    # The last option of a required group can be neither moved out nor deleted.
    other = ProductFactory(name="Otro")
    single = option_group_create(by=None, product=other, code="uno", name="Uno")
    only = option_create(by=None, product=other, code="solo", name="Solo", group=single)
    OptionGroup.objects.filter(pk=single.pk).update(min_choices=1)
    message = "At least 1 of “Uno” must be chosen, and it has 0 options"
    _refused(
        api.patch(f"/catalog/products/{other.pk}/options/{only.pk}", json={"group": None}),
        "group",
        message,
    )
    before = _counts()
    deleted = api.delete(f"/catalog/products/{other.pk}/options/{only.pk}")
    assert deleted.status_code == 422 and message in deleted.json()["detail"]
    assert _counts() == before
    assert ProductOption.objects.get(pk=only.pk).group_id == single.pk
    # Another product's records are not found under this one.
    assert api.patch(f"{base}/options/{only.pk}", json={"name": "X"}).status_code == 404
    assert api.delete(f"{base}/option-groups/{single.pk}").status_code == 404
    assert api.get(f"/catalog/products/{other.pk}/options/{o['tv'].pk}").status_code == 404
    # A code is given once: a PATCH naming it leaves it as it was.
    assert api.patch(f"{base}/options/{o['tv'].pk}", json={"code": "x"}).status_code == 200
    assert ProductOption.objects.get(pk=o["tv"].pk).code == "tv"


def test_the_refusal_in_spanish(api_as, manager):
    pack = fibre_pack()
    manager.language = "es"
    manager.save(update_fields=["language"])
    answer = api_as(manager).post(
        f"/catalog/products/{pack.pk}/option-rules",
        json={"option": "ip_fija", "kind": "excludes", "target": "fibra1g"},
    )
    assert answer.status_code == 422
    assert "“IP fija” nunca podría elegirse" in answer.json()["detail"]
    unknown = api_as(manager).post(
        f"/catalog/products/{pack.pk}/option-rules",
        json={"option": "ip_fija", "kind": "excludes", "target": "nada"},
    )
    assert "nada" in unknown.json()["errors"]["target"][0]
    assert unknown.json()["detail"] == "Pack Empresa Fibra no tiene la opción nada."


def test_the_lists_cost_the_same_queries_whatever_the_number_of_options(
    api, django_assert_num_queries
):
    small, large = ProductFactory(name="Pequeño"), ProductFactory(name="Grande")
    for product, count in ((small, 1), (large, 20)):
        group = option_group_create(by=None, product=product, code="g", name="G")
        made = [
            option_create(
                by=None, product=product, code=f"o{n}", name=f"Opción {n}", group=group, price=n
            )
            for n in range(count + 1)
        ]
        for first, second in zip(made, made[1:], strict=False):
            option_rule_create(by=None, option=second, kind="requires", target=first)
    group = OptionGroup.objects.get(product=large)
    api.get(f"/catalog/products/{small.pk}/options")  # caches
    for path in ("options", "option-groups", "option-rules", "option-groups/{group}/options"):
        with CaptureQueriesContext(connection) as few:
            small_group = OptionGroup.objects.get(product=small).pk
            answer = api.get(f"/catalog/products/{small.pk}/{path.format(group=small_group)}")
            assert answer.status_code == 200
        with django_assert_num_queries(len(few.captured_queries) - 1):
            answer = api.get(f"/catalog/products/{large.pk}/{path.format(group=group.pk)}")
        assert answer.status_code == 200
        # The token, its last use, the product (or group), the groups, options and rules.
        assert len(few.captured_queries) - 1 <= 6, path
    assert len(answer.json()) == 21
    everything = api.get(f"/catalog/products/{large.pk}/options").json()
    assert (len(everything["options"]), len(everything["rules"])) == (21, 20)
