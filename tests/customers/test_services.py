"""The customers' write services: each meaningful write announces itself with its event
from the catalogue (name and payload), after its commit."""

import datetime

import pytest

from panorama.customers.duplicates.services.merge import customer_merge, customer_merge_undo
from panorama.customers.duplicates.services.scan import duplicate_dismiss
from panorama.customers.imports.services.jobs import import_file_sync, import_job_undo
from panorama.customers.models import (
    BillingIncident,
    Consent,
    DuplicateCandidate,
    GroupMembership,
)
from panorama.customers.services import customer as customer_services
from panorama.customers.services import relations
from tests.factories import (
    BillingIncidentFactory,
    CustomerFactory,
    GroupFactory,
    IdentityFactory,
    MembershipFactory,
)

from .import_files import ROWS_ES, csv_bytes

pytestmark = pytest.mark.django_db


def test_customer_create_emits_customer_created(emitted, admin_user):
    with emitted() as events:
        customer = customer_services.customer_create(
            data=customer_services.CustomerData(first_name="Ana"), by=admin_user
        )
    assert events == [("customer.created", {"customer_id": customer.pk, "by": admin_user.pk})]


def test_customer_update_emits_the_changed_fields_and_nothing_when_nothing_changed(
    emitted, admin_user
):
    customer = CustomerFactory(first_name="Ana", last_name="García", status="active")
    with emitted() as events:
        customer_services.customer_update(
            customer=customer, by=admin_user, changes={"status": "inactive", "first_name": "Ana"}
        )
        customer_services.customer_update(
            customer=customer, by=admin_user, changes={"status": "inactive"}
        )
    assert events == [
        (
            "customer.updated",
            {"customer_id": customer.pk, "fields": ["status"], "by": admin_user.pk},
        )
    ]


def test_identity_add_and_remove_emit_their_events(emitted, admin_user):
    customer = CustomerFactory()
    with emitted() as events:
        identity = customer_services.identity_add(
            customer=customer,
            item=customer_services.IdentityData(kind="phone", value="600112233"),
            by=admin_user,
        )
        identity_id = identity.pk
        customer_services.identity_remove(identity=identity, by=admin_user)
    payload = {
        "customer_id": customer.pk,
        "identity_id": identity_id,
        "kind": "phone",
        "by": admin_user.pk,
    }
    assert events == [
        ("customer.identity_added", payload),
        ("customer.identity_removed", payload),
    ]


def test_address_add_emits_address_added(emitted, admin_user):
    customer = CustomerFactory()
    with emitted() as events:
        address = customer_services.address_add(
            customer=customer,
            item=customer_services.AddressData(line1="Calle Mayor 1", city="Madrid"),
            by=admin_user,
        )
    assert events == [
        (
            "customer.address_added",
            {"customer_id": customer.pk, "address_id": address.pk, "by": admin_user.pk},
        )
    ]


def test_group_create_and_membership_changes_emit_their_events(emitted, admin_user):
    ana = CustomerFactory()
    with emitted() as events:
        group = relations.group_create(name="Familia García", kind="family", by=admin_user)
        membership = relations.group_member_add(
            group=group, customer=ana, role=GroupMembership.Role.HEAD, by=admin_user
        )
        relations.group_member_remove(membership=membership, by=admin_user)
    assert events == [
        ("group.created", {"group_id": group.pk, "by": admin_user.pk}),
        (
            "group.member_added",
            {"group_id": group.pk, "customer_id": ana.pk, "role": "head", "by": admin_user.pk},
        ),
        (
            "group.member_removed",
            {"group_id": group.pk, "customer_id": ana.pk, "by": admin_user.pk},
        ),
    ]
    assert not GroupMembership.objects.filter(group=group).exists()


def test_holding_add_emits_holding_added(emitted, admin_user):
    customer = CustomerFactory()
    with emitted() as events:
        holding = relations.holding_add(
            customer=customer,
            product_code="MORT-01",
            product_name="Hipoteca fija",
            start_date=datetime.date(2024, 1, 1),
            by=admin_user,
        )
    assert events == [
        (
            "holding.added",
            {"customer_id": customer.pk, "holding_id": holding.pk, "by": admin_user.pk},
        )
    ]


def test_billing_incident_open_and_resolve_emit_their_events(emitted, admin_user):
    customer = CustomerFactory()
    with emitted() as events:
        incident = relations.billing_incident_add(
            customer=customer,
            kind="unpaid_invoice",
            reference="INV-1",
            amount="120.50",
            by=admin_user,
        )
        relations.billing_incident_resolve(incident=incident, by=admin_user)
    payload = {"customer_id": customer.pk, "incident_id": incident.pk, "by": admin_user.pk}
    assert events == [
        ("billing.incident_opened", payload),
        ("billing.incident_resolved", payload),
    ]
    incident.refresh_from_db()
    assert incident.status == BillingIncident.Status.RESOLVED
    assert incident.resolved_at is not None


def test_resolving_a_resolved_incident_changes_nothing_and_emits_nothing(emitted, admin_user):
    incident = BillingIncidentFactory(status="resolved")
    with emitted() as events:
        relations.billing_incident_resolve(incident=incident, by=admin_user)
    assert events == []
    incident.refresh_from_db()
    assert incident.resolved_at is None


@pytest.mark.parametrize("granted, name", [(True, "consent.given"), (False, "consent.withdrawn")])
def test_consent_record_emits_given_or_withdrawn(emitted, admin_user, granted, name):
    customer = CustomerFactory()
    with emitted() as events:
        consent = relations.consent_record(
            customer=customer, purpose="marketing", channel="email", granted=granted, by=admin_user
        )
    assert events == [
        (
            name,
            {
                "customer_id": customer.pk,
                "consent_id": consent.pk,
                "purpose": "marketing",
                "channel": "email",
                "by": admin_user.pk,
            },
        )
    ]
    assert Consent.objects.get().granted is granted


def test_merge_undo_and_dismiss_emit_their_events(emitted, admin_user):
    a, b = CustomerFactory(), CustomerFactory()
    IdentityFactory(customer=a, kind="email", value="ana@example.com")
    IdentityFactory(customer=b, kind="email", value="ana@example.com")
    with emitted() as events:
        merge = customer_merge(survivor=a, merged=b, by=admin_user)
        customer_merge_undo(merge=merge, by=admin_user)
    ids = {"merge_id": merge.pk, "customer_id": a.pk, "merged_id": b.pk, "by": admin_user.pk}
    assert events == [("customer.merged", ids), ("customer.merge_undone", ids)]

    low, high = sorted([a.pk, b.pk])
    candidate, _new = DuplicateCandidate.objects.get_or_create(
        customer_a_id=low, customer_b_id=high, defaults={"score": 0.9}
    )
    with emitted() as events:
        duplicate_dismiss(candidate=candidate, by=admin_user)
    assert events == [
        (
            "duplicate.dismissed",
            {"candidate_id": candidate.pk, "customer_ids": [low, high], "by": admin_user.pk},
        )
    ]


def test_an_import_announces_the_customers_it_wrote_its_end_and_its_undo(
    emitted, admin_user, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "clientes.csv"
    path.write_bytes(csv_bytes(ROWS_ES))
    with emitted() as events:
        job = import_file_sync(path=path, by=admin_user)
    created = sorted(job.created_customers.values_list("pk", flat=True))
    assert [name for name, _payload in events] == ["customer.imported", "import.finished"]
    imported = events[0][1]
    assert sorted(imported["created_ids"]) == created
    assert imported == {
        "job_id": job.pk,
        "created_ids": imported["created_ids"],
        "updated_ids": [],
        "by": admin_user.pk,
    }
    with emitted() as events:
        import_job_undo(job=job, by=admin_user)
    assert events == [
        (
            "import.undone",
            {
                "job_id": job.pk,
                "deleted": 3,
                "restored": 0,
                "kept": 0,
                "conflicts": 0,
                "by": admin_user.pk,
            },
        )
    ]


def test_a_group_member_of_another_group_is_left_alone(admin_user):
    ana = CustomerFactory()
    kept = MembershipFactory(customer=ana, group=GroupFactory())
    gone = MembershipFactory(customer=ana, group=GroupFactory())
    relations.group_member_remove(membership=gone, by=admin_user)
    assert list(GroupMembership.objects.filter(customer=ana)) == [kept]


def test_an_import_announces_when_it_is_queued_and_when_it_fails(
    emitted, admin_user, tmp_path, settings
):
    from panorama.customers.imports.services.jobs import import_job_create, import_job_run

    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "clientes.csv"
    path.write_bytes(csv_bytes(ROWS_ES))
    with emitted() as events:
        queued = import_job_create(upload=path, by=admin_user, start=True)
    assert events[0] == ("import.queued", {"job_id": queued.pk, "by": admin_user.pk})

    waiting = import_job_create(upload=path, by=admin_user, start=False)
    waiting.file.storage.delete(waiting.file.name)  # the stored file is gone
    with emitted() as events, pytest.raises(FileNotFoundError):
        import_job_run(job_id=waiting.pk)
    assert [name for name, _payload in events] == ["import.failed"]
    payload = events[0][1]
    assert (payload["job_id"], payload["by"]) == (waiting.pk, admin_user.pk)
    assert payload["error"].startswith("The import stopped on an unexpected error")


def test_a_duplicate_scan_announces_the_pairs_waiting_for_review(emitted):
    from panorama.customers.duplicates.services.scan import duplicates_scan

    for _ in range(2):
        IdentityFactory(customer=CustomerFactory(), kind="email", value="ana@example.com")
    with emitted() as events:
        duplicates_scan()
    assert events == [("duplicate.scan_finished", {"customer_ids": None, "open": 1})]
