"""The configurator: a configuration is checked against every rule and group, and every
refusal is explained in a sentence that names the options."""

from decimal import Decimal

import pytest
from django.utils import translation

from panorama.catalog.models import ProductOption
from panorama.catalog.services.configuration import configuration_check
from panorama.catalog.services.options import option_create, option_group_create, option_rule_create
from panorama.core.exceptions import PermissionDenied, ValidationFailed

from .configurable import fibre_pack
from .factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pack(db):
    return fibre_pack()


def test_a_valid_configuration_adds_what_comes_included_at_no_charge(
    pack, django_assert_num_queries
):
    with django_assert_num_queries(3):  # groups, options, rules
        found = configuration_check(product=pack, options=["fibra1g", "movil_basico", "ip_fija"])

    assert found.valid and found.problems == ()
    assert found.codes == ("fibra1g", "movil_basico", "ip_fija", "instalacion")
    installation = found.options[-1]
    assert (installation.included, installation.price, installation.reason) == (
        True,
        Decimal(0),
        "included with the product",
    )
    assert found.options_price == Decimal("33")  # 15 + 10 + 8; the installation is free


def test_an_option_included_by_another_is_free_and_satisfies_its_rules(pack):
    found = configuration_check(
        product=pack, options=["fibra1g", "movil_datos", "centralita", "ip_fija"]
    )
    ip = next(o for o in found.options if o.code == "ip_fija")
    assert found.valid
    assert (ip.price, ip.reason) == (Decimal(0), "included with “Centralita virtual”")
    assert found.options_price == Decimal("52")  # 15 + 12 + 25


def test_every_refusal_is_explained_at_once(pack):
    found = configuration_check(
        product=pack,
        options=[
            "fibra300",
            "tv",
            "centralita",
            "movil_basico",
            "movil_datos",
            "movil_ilimitado",
            "wifi7",
            "tv",
        ],
    )

    assert not found.valid
    assert [(p.code, p.message) for p in found.problems] == [
        ("unknown", "Pack Empresa Fibra has no option wifi7."),
        ("repeated", "The option “Televisión” is chosen more than once."),
        (
            "requires",
            "“IP fija” requires “Fibra 1 Gb”: add “Fibra 1 Gb” or remove “IP fija”.",
        ),
        (
            "excludes",
            "“Televisión” cannot be combined with “Fibra 300 Mb”: keep only one of them.",
        ),
        (
            "too_many",
            "Choose at most 2 of “Líneas móviles”; you chose 3: "
            "“Móvil básico”, “Móvil ilimitado”, “Móvil solo datos”.",
        ),
    ]
    assert found.problems[2].options == ("ip_fija", "fibra1g")


def test_too_few_names_the_choices(pack):
    found = configuration_check(product=pack, options=[])
    assert [p.message for p in found.problems] == [
        "Choose at least 1 of “Velocidad” (“Fibra 300 Mb”, “Fibra 1 Gb”); you chose 0.",
        "Choose at least 1 of “Líneas móviles” (“Móvil básico”, “Móvil ilimitado”, "
        "“Móvil solo datos”); you chose 0.",
    ]
    with pytest.raises(ValidationFailed) as refused:
        found.raise_if_invalid()
    assert refused.value.field == "options"
    assert len(refused.value.errors["options"]) == 2


def test_the_explanations_are_in_spanish(pack):
    with translation.override("es"):
        found = configuration_check(product=pack, options=["fibra300", "movil_basico", "tv"])
    assert [p.message for p in found.problems] == [
        "“Televisión” no se puede combinar con “Fibra 300 Mb”: deja solo una de las dos."
    ]


def test_a_product_without_options_takes_none(db):
    plain = ProductFactory()
    assert configuration_check(product=plain, options=[]).valid
    assert configuration_check(product=plain, options=["x"]).problems[0].code == "unknown"


def test_only_catalogue_managers_change_options(rep, pack):
    with pytest.raises(PermissionDenied):
        option_create(by=rep, product=pack, code="nuevo", name="Nuevo")
    assert not ProductOption.objects.filter(code="nuevo").exists()


def test_option_writes_refuse_what_makes_no_sense(manager, pack, emitted):
    other = ProductFactory()
    foreign_group = option_group_create(by=manager, product=other, code="g", name="G")
    options = {o.code: o for o in pack.options.all()}
    foreign = option_create(by=manager, product=other, code="x", name="X")
    cases = [
        (lambda: option_create(by=manager, product=pack, code="tv", name="TV 2"), "code"),
        (lambda: option_create(by=manager, product=pack, code="n", name="N", price="-1"), "price"),
        (
            lambda: option_create(
                by=manager, product=pack, code="n", name="N", group=foreign_group
            ),
            "group",
        ),
        (
            lambda: option_rule_create(
                by=manager, option=options["tv"], kind="requires", target=foreign
            ),
            "target",
        ),
        (
            lambda: option_rule_create(
                by=manager, option=options["tv"], kind="excludes", target=options["tv"]
            ),
            "target",
        ),
        (
            lambda: option_rule_create(
                by=manager, option=options["tv"], kind="likes", target=options["ip_fija"]
            ),
            "kind",
        ),
        (
            lambda: option_group_create(
                by=manager, product=pack, code="z", name="Z", min_choices=2, max_choices=1
            ),
            "max_choices",
        ),
    ]
    for attempt, field in cases:
        with pytest.raises(ValidationFailed) as refused:
            attempt()
        assert refused.value.field == field
    with emitted() as events:
        option_create(by=manager, product=pack, code="soporte", name="Soporte 24 h", price="5")
    assert events == [
        ("product.updated", {"product_id": pack.pk, "fields": ["options"], "by": manager.pk})
    ]
