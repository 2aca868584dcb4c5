import datetime

import pytest
from django.contrib.auth.models import Group as AuthGroup
from django.contrib.auth.models import Permission
from django.db.models import Count

from panorama.accounts.models import Role
from panorama.channels.models import Interaction
from panorama.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from panorama.core.models import FieldChange
from panorama.customers import selectors
from panorama.customers.duplicates.selectors import duplicate_candidates
from panorama.customers.duplicates.services.scan import (
    customer_merge,
    customer_merge_undo,
    duplicate_dismiss,
    duplicates_scan,
    duplicates_scan_request,
)
from panorama.customers.duplicates.tasks import scan_duplicates
from panorama.customers.models import (
    Address,
    Consent,
    Customer,
    CustomerMerge,
    DuplicateCandidate,
    GroupMembership,
    Holding,
    Identity,
)

from ..factories import (
    AddressFactory,
    ConsentFactory,
    CustomerFactory,
    GroupFactory,
    HoldingFactory,
    IdentityFactory,
    InteractionFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def person(first, last, **kwargs):
    return CustomerFactory(first_name=first, last_name=last, **kwargs)


def pair_of(a, b):
    low, high = sorted((a.pk, b.pk))
    return DuplicateCandidate.objects.get(customer_a_id=low, customer_b_id=high)


def codes(candidate):
    return {r["code"] for r in candidate.reasons}


# --- scan -----------------------------------------------------------------------------


def test_scan_pairs_customers_with_the_same_national_id():
    ana = person("Ana", "García")
    other = person("A.", "Garcia Pérez")
    IdentityFactory(customer=ana, kind=Identity.Kind.NATIONAL_ID, value="12345678Z")
    IdentityFactory(customer=other, kind=Identity.Kind.NATIONAL_ID, value="12345678Z")

    assert duplicates_scan() == 1
    candidate = pair_of(ana, other)
    assert {"code": "same_national_id", "detail": "12345678Z"} in candidate.reasons
    assert candidate.score >= 0.9
    assert candidate.status == DuplicateCandidate.Status.OPEN


def test_scan_pairs_customers_with_the_same_email():
    a = person("Luis", "Martín")
    b = person("Luis", "Martin Gómez")
    IdentityFactory(customer=a, kind=Identity.Kind.EMAIL, value="luis@example.com")
    IdentityFactory(customer=b, kind=Identity.Kind.EMAIL, value="luis@example.com")

    duplicates_scan()

    assert "same_email" in codes(pair_of(a, b))


def test_scan_pairs_similar_names_at_the_same_postal_code():
    a = person("María José", "Fernández Ruiz")
    b = person("Maria Jose", "Fernandez Ruis")
    AddressFactory(customer=a, postal_code="28013")
    AddressFactory(customer=b, postal_code="28013")

    duplicates_scan()

    candidate = pair_of(a, b)
    assert codes(candidate) == {"similar_name_postcode"}
    assert "28013" in candidate.reasons[0]["detail"]


def test_scan_pairs_similar_names_in_the_same_group():
    family = GroupFactory()
    a = person("Pedro", "Sánchez Gil")
    b = person("Pedro", "Sanchez Gil")
    MembershipFactory(group=family, customer=a)
    MembershipFactory(group=family, customer=b)

    duplicates_scan()

    assert "similar_name_group" in codes(pair_of(a, b))


def test_scan_pairs_same_name_and_birth_date():
    born = datetime.date(1980, 5, 17)
    a = person("Carmen", "López", birth_date=born)
    b = person("Carmen", "Lopez", birth_date=born)
    person("Carmen", "López", birth_date=datetime.date(1990, 1, 1))

    assert duplicates_scan() == 1
    assert "same_name_birth_date" in codes(pair_of(a, b))


def test_scan_leaves_unrelated_customers_alone():
    a = person("Ana", "García")
    b = person("Jorge", "Navarro")
    c = person("Lucía", "Garrido")
    for customer, email in [
        (a, "ana@example.com"),
        (b, "jorge@example.com"),
        (c, "lu@example.com"),
    ]:
        IdentityFactory(customer=customer, kind=Identity.Kind.EMAIL, value=email)
        AddressFactory(customer=customer, postal_code="28001")
    family = GroupFactory()
    MembershipFactory(group=family, customer=a)
    MembershipFactory(group=family, customer=c)

    assert duplicates_scan() == 0
    assert not DuplicateCandidate.objects.exists()


def test_a_switchboard_number_shared_by_many_does_not_pair_them_but_is_reported():
    switchboard = "+34911234567"
    staff = [person(f"Empleado{i}", f"Apellido{i}") for i in range(21)]
    for customer in staff:
        IdentityFactory(customer=customer, kind=Identity.Kind.PHONE, value=switchboard)
    IdentityFactory(customer=staff[0], kind=Identity.Kind.EMAIL, value="x@example.com")
    IdentityFactory(customer=staff[1], kind=Identity.Kind.EMAIL, value="x@example.com")

    assert duplicates_scan() == 1
    candidate = pair_of(staff[0], staff[1])
    assert codes(candidate) == {"same_email", "common_identifier"}
    assert f"{switchboard} (21)" in [r["detail"] for r in candidate.reasons]


def test_dismissed_pairs_stay_dismissed_on_rescan(admin_user):
    a, b = person("Ana", "García"), person("Ana", "Garcia")
    IdentityFactory(customer=a, kind=Identity.Kind.EMAIL, value="ana@example.com")
    IdentityFactory(customer=b, kind=Identity.Kind.EMAIL, value="ana@example.com")
    duplicates_scan()

    duplicate_dismiss(candidate=pair_of(a, b), by=admin_user)

    assert duplicates_scan() == 0
    assert pair_of(a, b).status == DuplicateCandidate.Status.DISMISSED
    assert duplicate_candidates(user=admin_user).items == []


def test_rescan_drops_pairs_no_longer_found_and_incremental_scan_finds_new_ones():
    a, b = person("Ana", "García"), person("Beatriz", "Ortega")
    IdentityFactory(customer=a, kind=Identity.Kind.EMAIL, value="shared@example.com")
    shared = IdentityFactory(customer=b, kind=Identity.Kind.EMAIL, value="shared@example.com")
    assert duplicates_scan() == 1
    shared.delete()
    assert duplicates_scan() == 0

    c = person("Ana", "Garcia")
    IdentityFactory(customer=c, kind=Identity.Kind.EMAIL, value="shared@example.com")
    assert duplicates_scan(customer_ids=[c.pk]) == 1
    assert "same_email" in codes(pair_of(a, c))


def test_the_background_task_runs_the_scan():
    a, b = person("Ana", "García"), person("Ana", "García")
    IdentityFactory(customer=a, kind=Identity.Kind.PHONE, value="+34600112233")
    IdentityFactory(customer=b, kind=Identity.Kind.PHONE, value="+34600112233")

    result = scan_duplicates.enqueue()

    assert result.return_value == 1
    assert codes(pair_of(a, b)) == {"same_phone", "similar_name"}


# --- merge and undo -------------------------------------------------------------------

TABLES = [Identity, Address, GroupMembership, Holding, Consent, Interaction]


def counts(customer):
    return {model.__name__: model.objects.filter(customer=customer).count() for model in TABLES}


@pytest.fixture
def twins(db):
    """Two records of the same woman, each with her own history, sharing a family."""
    survivor = person("Ana", "García", birth_date=None, custom_fields={"segment": "gold"})
    merged = person(
        "Ana",
        "García",
        birth_date=datetime.date(1985, 3, 2),
        custom_fields={"segment": "silver", "pets": "2"},
    )
    IdentityFactory(
        customer=survivor, kind=Identity.Kind.EMAIL, value="ana@example.com", is_primary=True
    )
    IdentityFactory(customer=merged, kind=Identity.Kind.EMAIL, value="ana@example.com")
    IdentityFactory(
        customer=merged, kind=Identity.Kind.EMAIL, value="ana.g@work.example", is_primary=True
    )
    IdentityFactory(customer=merged, kind=Identity.Kind.NATIONAL_ID, value="12345678Z")
    AddressFactory(customer=survivor)
    AddressFactory.create_batch(2, customer=merged)
    family, club = GroupFactory(), GroupFactory()
    MembershipFactory(group=family, customer=survivor)
    MembershipFactory(group=family, customer=merged)
    MembershipFactory(group=club, customer=merged)
    HoldingFactory(customer=merged)
    ConsentFactory.create_batch(2, customer=merged)
    InteractionFactory.create_batch(3, customer=merged)
    InteractionFactory(customer=survivor)
    return survivor, merged


def test_merge_moves_everything_to_the_survivor(twins, admin_user):
    survivor, merged = twins

    merge = customer_merge(survivor=survivor, merged=merged, by=admin_user)

    assert counts(survivor) == {
        "Identity": 3,
        "Address": 3,
        "GroupMembership": 2,
        "Holding": 1,
        "Consent": 2,
        "Interaction": 4,
    }
    # What the survivor already had stays on the merged customer, recorded; his place in
    # the survivor's family is deleted (recorded whole), or it would show him there.
    assert counts(merged) == {
        "Identity": 1,
        "Address": 0,
        "GroupMembership": 0,
        "Holding": 0,
        "Consent": 0,
        "Interaction": 0,
    }
    assert merge.kept == {"customers.identity.customer": [merged.identities.get().pk]}
    assert list(merge.dropped) == ["customers.groupmembership.customer"]
    assert merge.relinked["channels.interaction.customer"]
    # One primary e-mail: the moved one is no longer primary.
    assert survivor.identities.filter(kind="email", is_primary=True).count() == 1
    survivor.refresh_from_db()
    merged.refresh_from_db()
    assert merged.merged_into == survivor
    assert survivor.birth_date == datetime.date(1985, 3, 2)
    assert survivor.custom_fields == {"segment": "gold", "pets": "2"}
    assert FieldChange.objects.filter(customer_id=survivor.pk, field="birth_date").exists()
    assert FieldChange.objects.filter(customer_id=merged.pk, field="merged_into").exists()


def test_the_merged_customer_disappears_from_list_and_identify(twins, admin_user):
    survivor, merged = twins

    customer_merge(survivor=survivor, merged=merged, by=admin_user)

    listed = selectors.customer_list(user=admin_user).items
    assert survivor in listed and merged not in listed
    for value in ["ana@example.com", "12345678Z", "ana.g@work.example"]:
        assert [m.customer for m in selectors.identify(user=admin_user, value=value)] == [survivor]


def test_merge_marks_the_candidate_and_undo_reopens_it(twins, admin_user):
    survivor, merged = twins
    duplicates_scan()
    assert pair_of(survivor, merged).status == DuplicateCandidate.Status.OPEN

    merge = customer_merge(survivor=survivor, merged=merged, by=admin_user)
    assert pair_of(survivor, merged).status == DuplicateCandidate.Status.MERGED

    customer_merge_undo(merge=merge, by=admin_user)
    assert pair_of(survivor, merged).status == DuplicateCandidate.Status.OPEN


def test_undo_brings_everything_back_exactly(twins, admin_user):
    survivor, merged = twins
    before = (counts(survivor), counts(merged))
    rows_before = {
        model.__name__: set(model.objects.values_list("pk", "customer_id")) for model in TABLES
    }
    primaries_before = set(Identity.objects.filter(is_primary=True).values_list("pk", flat=True))
    fields_before = Customer.objects.filter(pk=survivor.pk).values().get()

    merge = customer_merge(survivor=survivor, merged=merged, by=admin_user)
    customer_merge_undo(merge=merge, by=admin_user)

    assert (counts(survivor), counts(merged)) == before
    assert rows_before == {
        model.__name__: set(model.objects.values_list("pk", "customer_id")) for model in TABLES
    }
    assert primaries_before == set(
        Identity.objects.filter(is_primary=True).values_list("pk", flat=True)
    )
    fields_after = Customer.objects.filter(pk=survivor.pk).values().get()
    fields_before.pop("updated_at"), fields_after.pop("updated_at")
    assert fields_after == fields_before
    merged.refresh_from_db()
    merge.refresh_from_db()
    assert merged.merged_into is None
    assert merge.undone_at is not None and merge.undone_by == admin_user
    assert merged in selectors.customer_list(user=admin_user).items


def test_a_shared_group_shows_the_survivor_alone_after_the_merge_and_both_after_undo(
    admin_user,
):
    survivor, merged, brother = person("Ana", "García"), person("Ana", "García"), person("Luis", "")
    family = GroupFactory(name="Familia García")
    MembershipFactory(group=family, customer=survivor, role=GroupMembership.Role.HEAD)
    MembershipFactory(
        group=family,
        customer=merged,
        role=GroupMembership.Role.PARTNER,
        since=datetime.date(2010, 6, 1),
    )
    MembershipFactory(group=family, customer=brother, role=GroupMembership.Role.RELATIVE)

    def family_rows():
        return set(family.memberships.values_list("pk", "customer_id", "role", "since"))

    def ficha_family(customer):
        core = selectors.customer_core_360(customer=customer, user=admin_user)
        (entry,) = core["groups"]
        return entry["role"].role, [m.customer for m in entry["members"]]

    before = family_rows()

    merge = customer_merge(survivor=survivor, merged=merged, by=admin_user)

    assert ficha_family(survivor) == ("head", [brother])
    assert ficha_family(brother) == ("relative", [survivor])
    assert not merged.memberships.exists()
    assert family_rows() == before - {r for r in before if r[1] == merged.pk}

    customer_merge_undo(merge=CustomerMerge.objects.get(pk=merge.pk), by=admin_user)

    assert family_rows() == before
    assert ficha_family(merged) == ("partner", [survivor, brother])


def test_undo_skips_a_dropped_membership_whose_group_was_deleted_since(admin_user):
    survivor, merged = person("Ana", "García"), person("Ana", "García")
    family, club = GroupFactory(), GroupFactory()
    for group in (family, club):
        MembershipFactory(group=group, customer=survivor)
        MembershipFactory(group=group, customer=merged)
    merge = customer_merge(survivor=survivor, merged=merged, by=admin_user)
    family.delete()

    customer_merge_undo(merge=merge, by=admin_user)

    assert list(merged.memberships.values_list("group_id", flat=True)) == [club.pk]


def test_merge_fills_the_survivors_missing_names():
    survivor = person("Ana", "")
    merged = person("Ana", "García Ruiz")

    merge = customer_merge(survivor=survivor, merged=merged, by=None)

    survivor.refresh_from_db()
    assert survivor.display_name == "Ana García Ruiz"
    assert survivor.search_last == "garcia ruiz"
    customer_merge_undo(merge=merge, by=None)
    survivor.refresh_from_db()
    assert (survivor.display_name, survivor.last_name) == ("Ana", "")


def test_merge_refuses_a_customer_into_itself(admin_user):
    ana = person("Ana", "García")
    with pytest.raises(ValidationFailed) as error:
        customer_merge(survivor=ana, merged=ana, by=admin_user)
    assert error.value.field == "survivor_id"


def test_merge_refuses_an_already_merged_customer(admin_user):
    a, b, c = person("A", "Uno"), person("A", "Dos"), person("A", "Tres")
    customer_merge(survivor=a, merged=b, by=admin_user)
    b.refresh_from_db()

    with pytest.raises(Conflict):
        customer_merge(survivor=b, merged=c, by=admin_user)
    with pytest.raises(Conflict):
        customer_merge(survivor=c, merged=b, by=admin_user)


def test_a_manager_cannot_merge_customers_outside_his_scope(team):
    manager = UserFactory(role=Role.SALES_MANAGER, managed_teams=[team])
    mine = person("Ana", "García", team=team)
    theirs = person("Ana", "Garcia", owner=UserFactory(), team=None)

    with pytest.raises(NotFound):
        customer_merge(survivor=mine, merged=theirs, by=manager)
    assert Customer.objects.get(pk=theirs.pk).merged_into is None


def test_a_sales_rep_may_not_merge_even_his_own_customers_nor_undo_a_merge(rep, admin_user):
    a, b = person("Ana", "García", owner=rep), person("Ana", "Garcia", owner=rep)

    with pytest.raises(PermissionDenied, match="Merging customers is not part of your role"):
        customer_merge(survivor=a, merged=b, by=rep)
    assert Customer.objects.get(pk=b.pk).merged_into is None

    merge = customer_merge(survivor=a, merged=b, by=admin_user)
    with pytest.raises(PermissionDenied, match="Undoing a merge is not part of your role"):
        customer_merge_undo(merge=merge, by=rep)
    assert Customer.objects.get(pk=b.pk).merged_into_id == a.pk


def test_a_sales_rep_may_not_dismiss_a_pair_but_his_manager_may(rep, team):
    a = person("Ana", "García", owner=rep, team=team)
    b = person("Ana", "Garcia", owner=rep, team=team)
    IdentityFactory(customer=a, kind=Identity.Kind.EMAIL, value="ana@example.com")
    IdentityFactory(customer=b, kind=Identity.Kind.EMAIL, value="ana@example.com")
    duplicates_scan()
    candidate = pair_of(a, b)

    with pytest.raises(PermissionDenied, match="not duplicates is not part of your role"):
        duplicate_dismiss(candidate=candidate, by=rep)
    assert DuplicateCandidate.objects.get().status == DuplicateCandidate.Status.OPEN

    manager = UserFactory(role=Role.SALES_MANAGER, managed_teams=[team])
    duplicate_dismiss(candidate=candidate, by=manager)
    assert DuplicateCandidate.objects.get().status == DuplicateCandidate.Status.DISMISSED


def test_managers_admins_and_data_stewards_merge(team):
    manager = UserFactory(role=Role.SALES_MANAGER, managed_teams=[team])
    admin_role = UserFactory(role=Role.ADMIN)
    steward = UserFactory(role=Role.SERVICE_AGENT)
    stewards = AuthGroup.objects.create(name="Data stewards")
    stewards.permissions.add(Permission.objects.get(codename="add_customermerge"))
    steward.groups.add(stewards)

    for user in (manager, admin_role, steward):
        a, b = person("Ana", "García", team=team), person("Ana", "Garcia", team=team)
        merge = customer_merge(survivor=a, merged=b, by=user)
        customer_merge_undo(merge=merge, by=user)
    agent = UserFactory(role=Role.SERVICE_AGENT)  # sees everyone, but is no data steward
    with pytest.raises(PermissionDenied):
        customer_merge(survivor=a, merged=b, by=agent)


def test_the_roles_that_merge_are_a_setting(settings, rep):
    settings.PANORAMA_MERGE_ROLES = ["sales_rep"]
    a, b = person("Ana", "García", owner=rep), person("Ana", "Garcia", owner=rep)

    customer_merge(survivor=a, merged=b, by=rep)

    assert Customer.objects.get(pk=b.pk).merged_into_id == a.pk
    settings.PANORAMA_MERGE_ROLES = ["admin"]
    manager = UserFactory(role=Role.SALES_MANAGER)
    with pytest.raises(PermissionDenied):
        duplicates_scan_request(by=manager)


def test_an_analyst_cannot_merge():
    analyst = UserFactory(role=Role.ANALYST)
    a, b = person("Ana", "García"), person("Ana", "Garcia")
    with pytest.raises(PermissionDenied):
        customer_merge(survivor=a, merged=b, by=analyst)


def test_undo_is_refused_twice_and_after_the_survivor_was_merged_away(admin_user):
    a, b, c = person("A", "Uno"), person("A", "Dos"), person("A", "Tres")
    first = customer_merge(survivor=a, merged=b, by=admin_user)
    customer_merge(survivor=c, merged=a, by=admin_user)

    with pytest.raises(Conflict):
        customer_merge_undo(merge=first, by=admin_user)

    second = CustomerMerge.objects.get(survivor=c)
    customer_merge_undo(merge=second, by=admin_user)
    customer_merge_undo(merge=first, by=admin_user)
    with pytest.raises(Conflict):
        customer_merge_undo(merge=first, by=admin_user)


def test_chained_merges_undo_in_reverse_order():
    a, b, c = person("A", "Uno"), person("A", "Dos"), person("A", "Tres")
    InteractionFactory.create_batch(2, customer=b)
    InteractionFactory(customer=c)
    into_b = customer_merge(survivor=b, merged=c, by=None)
    into_a = customer_merge(survivor=a, merged=b, by=None)
    assert Interaction.objects.filter(customer=a).count() == 3

    customer_merge_undo(merge=into_a, by=None)
    customer_merge_undo(merge=into_b, by=None)

    per_customer = dict(
        Interaction.objects.values_list("customer_id").annotate(n=Count("id")).order_by()
    )
    assert per_customer == {b.pk: 2, c.pk: 1}


def test_dismissing_a_merged_pair_is_refused(admin_user):
    a, b = person("Ana", "García"), person("Ana", "García")
    IdentityFactory(customer=a, kind=Identity.Kind.EMAIL, value="ana@example.com")
    IdentityFactory(customer=b, kind=Identity.Kind.EMAIL, value="ana@example.com")
    duplicates_scan()
    customer_merge(survivor=a, merged=b, by=admin_user)

    with pytest.raises(Conflict):
        duplicate_dismiss(candidate=pair_of(a, b), by=admin_user)


# --- the list -------------------------------------------------------------------------


def test_candidate_list_is_scoped_and_constant_in_queries(rep, django_assert_max_num_queries):
    stranger = UserFactory()
    names = ["Ana Ruiz", "Luis Vega", "Marta Sanz", "Jorge Pardo", "Elena Mora", "Pablo Rey"]
    for i, name in enumerate(names):
        owner = rep if i % 2 == 0 else stranger
        a, b = person(*name.split(), owner=owner), person(*name.split(), owner=rep)
        IdentityFactory(customer=a, kind=Identity.Kind.EMAIL, value=f"p{i}@example.com")
        IdentityFactory(customer=b, kind=Identity.Kind.EMAIL, value=f"p{i}@example.com")
        AddressFactory(customer=a)
    duplicates_scan()

    with django_assert_max_num_queries(3):
        page = duplicate_candidates(user=rep, with_details=True)
        names = [(c.customer_a.display_name, c.customer_b.display_name) for c in page.items]
        details = [len(c.customer_a.shown_identities) for c in page.items]

    assert len(names) == 3 and details == [1, 1, 1]
    assert all(c.customer_a.owner_id == rep.pk for c in page.items)


def test_candidate_list_pages_by_cursor(admin_user):
    for i in range(5):
        a, b = person(f"N{i}", "X"), person(f"M{i}", "Y")
        IdentityFactory(customer=a, kind=Identity.Kind.EMAIL, value=f"q{i}@example.com")
        IdentityFactory(customer=b, kind=Identity.Kind.EMAIL, value=f"q{i}@example.com")
    duplicates_scan()

    first = duplicate_candidates(user=admin_user, limit=3)
    second = duplicate_candidates(user=admin_user, limit=3, cursor=first.next_cursor)

    assert len(first.items) == 3 and len(second.items) == 2 and second.next_cursor is None
    assert not {c.pk for c in first.items} & {c.pk for c in second.items}
