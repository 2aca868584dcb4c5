"""A product's options pages: a catalogue manager manages its option groups, options and
rules without code, the quote's option picker and the configurator honour what was
saved, a rule that could never be met is refused with the reason and nothing saved,
and nobody else gets in."""

from decimal import Decimal

import pytest
from django.urls import reverse

from panorama.catalog.models import OptionGroup, OptionRule, ProductOption
from panorama.catalog.services.configuration import configuration_check
from panorama.catalog.services.options import (
    option_create,
    option_group_create,
    option_rule_create,
)
from panorama.core.exceptions import ValidationFailed
from panorama.sales.services.quote import LineData, quote_create, quote_line_add
from tests.factories import CustomerFactory

from .configurable import fibre_pack
from .factories import ProductFactory

pytestmark = pytest.mark.django_db

ES = {"Accept-Language": "es"}


def _url(name: str, product, *args) -> str:
    return reverse(f"catalog:{name}", args=[product.pk, *args])


def _counts() -> tuple[int, int, int]:
    return OptionGroup.objects.count(), ProductOption.objects.count(), OptionRule.objects.count()


def test_a_manager_builds_options_and_a_rule_that_the_quote_picker_then_honours(
    client, manager, rep, team
):
    router = ProductFactory(name="Router 5G", list_price=Decimal("100.00"))
    client.force_login(manager)
    detail = client.get(reverse("catalog:product_detail", args=[router.pk])).content.decode()
    assert _url("product_options", router) in detail  # linked from the product page
    assert "No options yet" in client.get(_url("product_options", router)).content.decode()

    answer = client.post(
        _url("option_group_create", router),
        {"code": "antena", "name": "Antena", "min_choices": "0", "max_choices": "1", "position": 0},
    )
    assert answer.status_code == 302 and answer["Location"] == _url("product_options", router)
    group = OptionGroup.objects.get(product=router)
    for code, name, price, in_group in [
        ("interior", "Antena interior", "0", True),
        ("exterior", "Antena exterior", "12,50", True),
        ("wifi6", "Wi-Fi 6", "9", False),
    ]:
        data = {"code": code, "name": name, "price": price, "position": 0}
        if in_group:
            data["group"] = group.pk
        assert client.post(_url("option_create", router), data, headers=ES).status_code == 302
    options = {o.code: o for o in router.options.all()}
    assert options["exterior"].price == Decimal("12.50") and options["exterior"].group == group
    # Now that the group has options, one of them must be chosen.
    edit = client.post(
        _url("option_group_edit", router, group.pk),
        {"name": "Antena", "min_choices": "1", "max_choices": "1", "position": 0},
    )
    assert edit.status_code == 302
    rule = client.post(
        _url("option_rule_create", router),
        {"option": options["wifi6"].pk, "kind": "requires", "target": options["exterior"].pk},
    )
    assert rule.status_code == 302

    page = client.get(_url("product_options", router), follow=True).content.decode()
    assert "Antena exterior" in page and "“Wi-Fi 6” requires “Antena exterior”" in page

    # The configurator, and the option picker of a rep's quote, apply the new rule.
    refused = configuration_check(product=router, options=["wifi6", "interior"])
    assert [p.code for p in refused.problems] == ["requires"]
    assert configuration_check(product=router, options=["wifi6", "exterior"]).valid
    assert [p.code for p in configuration_check(product=router, options=[]).problems] == ["too_few"]
    buyer = CustomerFactory(owner=rep, team=team)
    quote = quote_create(by=rep, customer_id=buyer.pk)
    client.force_login(rep)
    picker = client.get(
        reverse("sales:quote_line_options", args=[quote.pk]),
        {"product": router.pk, "options": ["wifi6", "interior"], "checked": "1"},
    ).content.decode()
    assert "“Wi-Fi 6” requires “Antena exterior”" in picker
    with pytest.raises(ValidationFailed):
        quote_line_add(
            by=rep,
            quote_id=quote.pk,
            line=LineData(product_id=router.pk, options=["wifi6", "interior"]),
        )
    line = quote_line_add(
        by=rep,
        quote_id=quote.pk,
        line=LineData(product_id=router.pk, options=["wifi6", "exterior"]),
    )
    assert line.unit_price == Decimal("121.50")  # 100 + 12.50 + 9


def test_a_manager_edits_and_deletes_and_sees_it_in_spanish(client, manager):
    pack = fibre_pack()
    options = {o.code: o for o in pack.options.all()}
    client.force_login(manager)
    page = client.get(_url("product_options", pack), headers=ES).content.decode()
    assert "Opciones de Pack Empresa Fibra" in page and "Nueva opción" in page

    edit = client.post(
        _url("option_edit", pack, options["tv"].pk),
        {"name": "Televisión HD", "price": "11,00", "position": 3},
        headers=ES,
    )
    assert edit.status_code == 302
    tv = ProductOption.objects.get(pk=options["tv"].pk)
    assert (tv.name, tv.price, tv.code, tv.group) == ("Televisión HD", Decimal("11.00"), "tv", None)

    rule = OptionRule.objects.get(option=options["tv"])
    client.post(
        _url("option_rule_edit", pack, rule.pk),
        {"option": options["tv"].pk, "kind": "requires", "target": options["fibra1g"].pk},
    )
    rule.refresh_from_db()
    assert (rule.kind, rule.target_id) == ("requires", options["fibra1g"].pk)
    client.post(_url("option_rule_delete", pack, rule.pk))
    assert not OptionRule.objects.filter(pk=rule.pk).exists()

    client.post(_url("option_delete", pack, options["centralita"].pk))
    assert not ProductOption.objects.filter(code="centralita").exists()
    assert not OptionRule.objects.filter(kind="includes").exists()  # its rule went with it
    lines = OptionGroup.objects.get(code="lineas")
    gone = client.post(_url("option_group_delete", pack, lines.pk), follow=True, headers=ES)
    assert "sus opciones se quedan, sin grupo" in gone.content.decode()
    assert ProductOption.objects.get(code="movil_basico").group is None


def test_a_rep_gets_403_on_every_page_and_post(client, rep):
    pack = fibre_pack()
    group = pack.option_groups.first()
    option = pack.options.first()
    rule = pack.option_rules.first()
    client.force_login(rep)
    detail = client.get(reverse("catalog:product_detail", args=[pack.pk])).content.decode()
    assert _url("product_options", pack) not in detail
    before = _counts()
    urls = [
        _url("product_options", pack),
        _url("option_group_create", pack),
        _url("option_group_edit", pack, group.pk),
        _url("option_group_delete", pack, group.pk),
        _url("option_create", pack),
        _url("option_edit", pack, option.pk),
        _url("option_delete", pack, option.pk),
        _url("option_rule_create", pack),
        _url("option_rule_edit", pack, rule.pk),
        _url("option_rule_delete", pack, rule.pk),
    ]
    data = {"code": "x", "name": "X", "price": "1", "min_choices": "0", "position": "0"}
    for url in urls:
        if not url.endswith("/delete/"):
            assert client.get(url).status_code == 403, url
        if url != _url("product_options", pack):  # a page only read
            assert client.post(url, data).status_code == 403, url
    assert _counts() == before


def _refused(client, url, data, message):
    before = _counts()
    answer = client.post(url, data)
    html = answer.content.decode()
    assert answer.status_code == 422, html
    assert message in html.replace("&quot;", '"').replace("&#x27;", "'")
    assert 'aria-invalid="true"' in html
    assert _counts() == before


def test_invalid_rules_and_groups_are_explained_and_nothing_is_saved(client, manager):
    pack = fibre_pack()
    o = {opt.code: opt for opt in pack.options.all()}
    other = ProductFactory(name="Otro")
    foreign = option_create(by=None, product=other, code="ajena", name="Ajena")
    client.force_login(manager)
    new_rule = _url("option_rule_create", pack)

    # An option of another product.
    _refused(
        client,
        new_rule,
        {"option": o["tv"].pk, "kind": "requires", "target": foreign.pk},
        "The option belongs to another product.",
    )
    # A contradiction: IP fija requires Fibra 1 Gb; excluding it makes IP fija impossible.
    _refused(
        client,
        new_rule,
        {"option": o["ip_fija"].pk, "kind": "excludes", "target": o["fibra1g"].pk},
        "“IP fija” could never be chosen",
    )
    # Through an inclusion: the centralita includes IP fija, which requires Fibra 1 Gb;
    # requiring Fibra 300 as well would hold two speeds where the group allows one.
    _refused(
        client,
        new_rule,
        {"option": o["centralita"].pk, "kind": "requires", "target": o["fibra300"].pk},
        "would hold 2 options of “Velocidad”, which allows at most 1",
    )
    # A loop of inclusions.
    _refused(
        client,
        new_rule,
        {"option": o["ip_fija"].pk, "kind": "includes", "target": o["centralita"].pk},
        "each would come free with the other",
    )
    # A required group with no options, on creation and by raising "at least".
    _refused(
        client,
        _url("option_group_create", pack),
        {"code": "router", "name": "Router", "min_choices": "1", "position": "0"},
        "At least 1 of “Router” must be chosen, and it has 0 options",
    )
    speed = OptionGroup.objects.get(code="velocidad")
    _refused(
        client,
        _url("option_group_edit", pack, speed.pk),
        {"name": "Velocidad", "min_choices": "3", "max_choices": "", "position": "0"},
        "At least 3 of “Velocidad” must be chosen, and it has 2 options",
    )
    # A form's own mistakes: a taken code, a negative price.
    _refused(
        client,
        _url("option_create", pack),
        {"code": "tv", "name": "TV", "price": "1", "position": "0"},
        "This code is taken.",
    )
    _refused(
        client,
        _url("option_create", pack),
        {"code": "nueva", "name": "Nueva", "price": "-1", "position": "0"},
        "Ensure this value is greater than or equal to 0.",
    )
    # Deleting the last option of a required group, or moving it out: a message, nothing
    # changed.
    single = option_group_create(by=None, product=other, code="uno", name="Uno")
    only = option_create(by=None, product=other, code="solo", name="Solo", group=single)
    OptionGroup.objects.filter(pk=single.pk).update(min_choices=1)
    _refused(
        client,
        _url("option_edit", other, only.pk),
        {"name": "Solo", "price": "0", "group": "", "position": "0"},
        "At least 1 of “Uno” must be chosen, and it has 0 options",
    )
    before = _counts()
    answer = client.post(_url("option_delete", other, only.pk), follow=True)
    assert "At least 1 of “Uno” must be chosen, and it has 0 options" in answer.content.decode()
    assert _counts() == before
    assert ProductOption.objects.get(pk=only.pk).group_id == single.pk
    # The configurator still works on the old rules.
    assert configuration_check(product=pack, options=["fibra1g", "movil_basico"]).valid


def test_the_spanish_refusal(client, manager):
    pack = fibre_pack()
    o = {opt.code: opt for opt in pack.options.all()}
    client.force_login(manager)
    answer = client.post(
        _url("option_rule_create", pack),
        {"option": o["ip_fija"].pk, "kind": "excludes", "target": o["fibra1g"].pk},
        headers=ES,
    )
    assert answer.status_code == 422
    assert "“IP fija” nunca podría elegirse" in answer.content.decode()


def test_the_options_page_costs_the_same_queries_whatever_the_number_of_options(
    client, manager, django_assert_num_queries
):
    small, large = ProductFactory(name="Pequeño"), ProductFactory(name="Grande")
    for product, count in ((small, 1), (large, 30)):
        group = option_group_create(by=None, product=product, code="g", name="G")
        made = [
            option_create(
                by=None, product=product, code=f"o{n}", name=f"Opción {n}", group=group, price=n
            )
            for n in range(count + 1)
        ]
        for first, second in zip(made, made[1:], strict=False):
            option_rule_create(by=None, option=second, kind="requires", target=first)
    client.force_login(manager)
    client.get(_url("product_options", small))  # session, caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(_url("product_options", small)).status_code == 200
    with django_assert_num_queries(len(few.captured_queries)):
        page = client.get(_url("product_options", large))
    html = page.content.decode()
    assert "Opción 30" in html and "“Opción 30” requires “Opción 29”" in html
    assert len(few.captured_queries) <= 8
