"""The related record's migration to a GenericForeignKey keeps every link, both ways."""

import pytest

pytestmark = pytest.mark.django_db

BEFORE = [("channels", "0001_initial")]
AFTER = [("channels", "0002_interaction_related_generic")]


def test_related_links_survive_the_migration_and_its_reversal(migrate):
    apps = migrate(BEFORE)
    Customer = apps.get_model("customers", "Customer")
    Holding = apps.get_model("customers", "Holding")
    Interaction = apps.get_model("channels", "Interaction")
    ContentType = apps.get_model("contenttypes", "ContentType")
    holding_type, _ = ContentType.objects.get_or_create(app_label="customers", model="holding")
    ana = Customer.objects.create(display_name="Ana", search_name="ana")
    card = Holding.objects.create(
        customer=ana, product_code="card", product_name="Tarjeta", start_date="2026-01-01"
    )
    common = {"customer": ana, "channel": "phone", "direction": "inbound"}
    linked = Interaction.objects.create(
        subject="Card",
        related_type=holding_type,
        related_id=str(card.pk),
        **common,
        occurred_at="2026-01-01T10:00Z",
    )
    plain = Interaction.objects.create(subject="Hello", **common, occurred_at="2026-01-01T11:00Z")
    apps = migrate(AFTER)
    Interaction = apps.get_model("channels", "Interaction")
    assert Interaction.objects.get(pk=linked.pk).related_id == card.pk
    assert Interaction.objects.get(pk=plain.pk).related_id is None

    apps = migrate(BEFORE)  # and back, for whoever downgrades
    Interaction = apps.get_model("channels", "Interaction")
    assert Interaction.objects.get(pk=linked.pk).related_id == str(card.pk)
    assert Interaction.objects.get(pk=plain.pk).related_id == ""
