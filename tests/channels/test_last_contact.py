"""``Customer.last_contact_at`` is the time of the customer's newest interaction after
every kind of write (the service, a bulk insert, a delete, a queryset update, a merge
and its undo, an import's undo, a stale ``save()``), on SQLite and PostgreSQL; and the
segment condition "contacted" that reads it counts what probing the interactions
counts."""

import datetime
import random

import pytest
from django.db import connection
from django.db.models import Exists, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from panorama.channels import last_contact
from panorama.channels.models import Interaction
from panorama.channels.services import interaction_record
from panorama.core.bulk import model_attnames, row_defaults, rows_insert
from panorama.core.exceptions import ValidationFailed
from panorama.customers.duplicates.services.merge import customer_merge, customer_merge_undo
from panorama.customers.models import Customer
from panorama.marketing.rules import compile_rule, validate
from tests.factories import CustomerFactory, InteractionFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


def _days_ago(days: float) -> datetime.datetime:
    return NOW - datetime.timedelta(days=days)


def _kept(customer: Customer):
    return Customer.objects.values_list("last_contact_at", flat=True).get(pk=customer.pk)


def _live(customer: Customer):
    return Interaction.objects.filter(customer=customer).aggregate(m=Max("occurred_at"))["m"]


def _record(customer: Customer, when: datetime.datetime, by) -> Interaction:
    return interaction_record(
        customer_id=customer.pk,
        by=by,
        channel="phone",
        direction="inbound",
        subject="Llamada",
        occurred_at=when,
    )


def test_recording_deleting_and_moving_contacts_keep_the_newest(admin_user):
    ana = CustomerFactory()
    assert _kept(ana) is None
    newest = _record(ana, _days_ago(3), admin_user)
    assert _kept(ana) == newest.occurred_at
    _record(ana, _days_ago(10), admin_user)  # an older contact changes nothing
    assert _kept(ana) == _days_ago(3)
    # Deleting an older one changes nothing; the newest, the next one takes over.
    older = InteractionFactory(customer=ana, occurred_at=_days_ago(20))
    older.delete()
    assert _kept(ana) == _days_ago(3)
    newest.delete()
    assert _kept(ana) == _days_ago(10)
    # A queryset update of the time (no save, no signal), then of the customer.
    Interaction.objects.filter(customer=ana).update(occurred_at=_days_ago(1))
    assert _kept(ana) == _days_ago(1)
    jose = CustomerFactory()
    Interaction.objects.filter(customer=ana).update(customer=jose)
    assert (_kept(ana), _kept(jose)) == (None, _days_ago(1))
    # An edit through save() that keeps the time leaves the column alone.
    moved = Interaction.objects.get(customer=jose)
    moved.subject = "Otra"
    moved.save()
    assert _kept(jose) == _days_ago(1)
    Interaction.objects.filter(customer=jose).delete()
    assert _kept(jose) is None


def test_a_bulk_insert_and_a_customers_cascade_keep_it():
    customers = [CustomerFactory() for _ in range(3)]
    names = model_attnames(Interaction)
    rows = []
    for i, customer in enumerate(customers):
        for days in (5 + i, 40, 2 + i, 90):  # not in time order
            row = row_defaults(Interaction)
            values = {
                "customer_id": customer.pk,
                "channel": "email",
                "direction": "outbound",
                "subject": "Boletín",
                "occurred_at": _days_ago(days),
                "metadata": {},
            }
            for name, value in values.items():
                row[names.index(name)] = value
            rows.append(row)
    rows_insert(Interaction, rows)
    assert [_kept(c) for c in customers] == [_days_ago(2), _days_ago(3), _days_ago(4)]
    assert [_kept(c) for c in customers] == [_live(c) for c in customers]
    customers[0].delete()  # its interactions go with it, the others' stay
    assert [_kept(c) for c in customers[1:]] == [_days_ago(3), _days_ago(4)]


def test_a_customer_read_before_a_contact_does_not_put_the_old_date_back(admin_user):
    ana = CustomerFactory()
    stale = Customer.objects.get(pk=ana.pk)
    _record(ana, _days_ago(1), admin_user)
    stale.notes = "Prefiere el correo"
    stale.save()
    assert _kept(ana) == _days_ago(1)
    assert Customer.objects.get(pk=ana.pk).notes == "Prefiere el correo"


def test_a_merge_and_its_undo_move_the_newest_contact(admin_user):
    survivor = CustomerFactory(first_name="Ana", last_name="García")
    merged = CustomerFactory(first_name="Ana", last_name="García")
    _record(survivor, _days_ago(200), admin_user)
    _record(merged, _days_ago(5), admin_user)
    merge = customer_merge(survivor=survivor, merged=merged, by=admin_user)
    assert (_kept(survivor), _kept(merged)) == (_days_ago(5), None)
    customer_merge_undo(merge=merge, by=admin_user)
    assert (_kept(survivor), _kept(merged)) == (_days_ago(200), _days_ago(5))


def test_triggers_created_again_fill_the_column_again(admin_user):
    """What SQLite does when a migration rebuilds the table: its triggers are gone until
    ``post_migrate`` puts them back; what was written meanwhile is counted then."""
    ana = CustomerFactory()
    last_contact.last_contact_drop(connection)
    InteractionFactory(customer=ana, occurred_at=_days_ago(7))
    assert _kept(ana) is None
    assert set(last_contact.last_contact_ensure(connection)) == set(last_contact.NAMES)
    assert _kept(ana) == _days_ago(7)
    assert last_contact.last_contact_ensure(connection) == []  # all there: nothing to do
    _record(ana, _days_ago(2), admin_user)
    assert _kept(ana) == _days_ago(2)


# --- the segment condition ----------------------------------------------------------------


def _probe(days: int, channel: str = "") -> Exists:
    """What the condition was before the column: any interaction since then."""
    interactions = Interaction.objects.filter(
        customer_id=OuterRef("pk"), occurred_at__gte=NOW - datetime.timedelta(days=days)
    )
    if channel:
        interactions = interactions.filter(channel=channel)
    return Exists(interactions)


def _count(rule: dict) -> int:
    return Customer.objects.filter(compile_rule(validate(rule))).count()


@pytest.mark.parametrize("seed", [7, 11, 23])
def test_the_condition_counts_what_probing_the_interactions_counts(seed, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)  # the same instant, to the boundary
    rng = random.Random(seed)
    customers = [CustomerFactory() for _ in range(40)]
    for customer in customers:
        for _ in range(rng.choice([0, 0, 1, 2, 5])):
            InteractionFactory(
                customer=customer,
                channel=rng.choice(["phone", "email"]),
                # Some on the day's boundary, some ahead (a planned visit).
                occurred_at=_days_ago(rng.choice([rng.uniform(-5, 400), 30, 90])),
            )
    # Deleted and moved ones too, so the column went through every trigger.
    doomed = list(Interaction.objects.order_by("?").values_list("pk", flat=True)[:10])
    Interaction.objects.filter(pk__in=doomed).delete()
    Interaction.objects.filter(customer=customers[0]).update(customer=customers[1])
    for days in (1, 30, 89, 90, 365):
        within = Customer.objects.filter(_probe(days)).count()
        rule = {"field": "contacted", "value": days}
        assert _count({**rule, "op": "within_days"}) == within
        assert _count({**rule, "op": "not_within_days"}) == len(customers) - within
        # Inside NOT and OR, beside a condition that keeps the probe (a channel).
        by_phone = {**rule, "op": "within_days", "channel": "phone"}
        either = Customer.objects.filter(_probe(days) | _probe(days, "phone")).count()
        assert _count({"op": "or", "rules": [{**rule, "op": "within_days"}, by_phone]}) == either
        assert _count({"op": "not", "rule": {**rule, "op": "within_days"}}) == (
            Customer.objects.filter(~_probe(days)).count()
        )


def test_the_condition_without_a_channel_reads_the_customers_row_only():
    sql = str(Customer.objects.filter(compile_rule(validate(_contacted(90)))).query)
    assert "last_contact_at" in sql and "channels_interaction" not in sql
    probed = {**_contacted(90), "channel": "email"}
    assert "channels_interaction" in str(Customer.objects.filter(compile_rule(probed)).query)


def _contacted(days) -> dict:
    return {"field": "contacted", "op": "not_within_days", "value": days}


@pytest.mark.parametrize("days", [0, -3, 36501, "noventa", 2.5, None, True])
def test_bad_days_are_refused_as_before(days):
    with pytest.raises(ValidationFailed) as refused:
        validate({"op": "and", "rules": [_contacted(days)]})
    assert refused.value.field == "rules.rules.0.value"


def test_the_condition_on_a_customer_never_contacted():
    never = CustomerFactory()
    assert Customer.objects.filter(compile_rule(validate(_contacted(90))), pk=never.pk).exists()
    assert not Customer.objects.filter(
        compile_rule(validate({**_contacted(90), "op": "within_days"})), pk=never.pk
    ).exists()
    assert not Customer.objects.filter(Q(last_contact_at__isnull=False), pk=never.pk).exists()


def test_the_ficha_shows_the_last_contact_in_the_reader_s_language(client, admin_user):
    ana = CustomerFactory()
    InteractionFactory(
        customer=ana, occurred_at=timezone.make_aware(datetime.datetime(2026, 5, 20, 12))
    )
    never = CustomerFactory()
    client.force_login(admin_user)
    page = client.get(reverse("customers:detail", args=[ana.pk])).content.decode()
    assert "Last contact" in page and "05/20/2026" in page
    spanish = client.get(reverse("customers:detail", args=[ana.pk]), HTTP_ACCEPT_LANGUAGE="es")
    assert (
        "Último contacto" in spanish.content.decode() and "20/05/2026" in spanish.content.decode()
    )
    header = client.get(reverse("customers:detail", args=[never.pk])).content.decode()
    assert "Last contact</dt>\n          <dd>—</dd>" in header
