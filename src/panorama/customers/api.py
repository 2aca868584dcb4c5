from django.db import transaction
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from panorama.core.exceptions import NotFound, ValidationFailed
from panorama.core.http import client_ip, csv_download
from panorama.core.models import FieldChange
from panorama.core.pagination import Keyset

from . import selectors
from .models import GroupMembership, Identity
from .panels import panel_api_data
from .schemas import (
    AddressIn,
    AddressOut,
    BillingIncidentIn,
    BillingIncidentOut,
    ConsentIn,
    ConsentOut,
    Customer360Out,
    CustomerIn,
    CustomerOut,
    CustomerPageOut,
    CustomerPatch,
    CustomFieldIn,
    CustomFieldOut,
    CustomFieldPageOut,
    CustomFieldPatch,
    CustomFieldQuery,
    ExportQuery,
    FieldChangeOut,
    GroupIn,
    GroupOut,
    HoldingIn,
    HoldingOut,
    IdentifyOut,
    IdentityIn,
    IdentityOut,
    ListFilters,
    MemberIn,
    MemberOut,
)
from .services import custom_fields as field_services
from .services import customer as customer_services
from .services import relations
from .services.export import ExportFilters, customers_export_csv

router = Router(tags=["customers"])


def _member_out(m: GroupMembership) -> dict:
    return {
        "id": m.pk,
        "customer_id": m.customer_id,
        "customer_name": m.customer.display_name,
        "role": m.role,
        "since": m.since,
    }


@router.get("/identify", response=IdentifyOut, summary="Identify a customer by any identifier")
def identify(request, value: str, type: str | None = None):
    if type is not None and type not in Identity.Kind.values:
        raise ValidationFailed(_("Unknown identity type %(kind)s.") % {"kind": type}, field="type")
    matches = selectors.identify(user=request.user, value=value, kind=type)
    status = "not_found" if not matches else ("found" if len(matches) == 1 else "ambiguous")
    return {
        "status": status,
        "matches": [
            {"customer": m.customer, "matched_kind": m.kind, "matched_value": m.value}
            for m in matches
        ],
    }


@router.get("/customers/export", summary="The customers you can see, filtered, as CSV")
def customer_export(request, filters: Query[ExportQuery]):
    rows = customers_export_csv(
        user=request.user,
        filters=ExportFilters(**filters.dict()),
        ip_address=client_ip(request),
    )
    return csv_download(rows, "customers.csv")


@router.get("/customers", response=CustomerPageOut)
def customer_list(request, filters: Query[ListFilters]):
    custom = {}
    for item in filters.custom:
        key, sep, value = item.partition(":")
        if not sep:
            raise ValidationFailed(_("Custom filters look like key:value."), field="custom")
        custom[key] = value
    page = selectors.customer_list(
        user=request.user,
        search=filters.search,
        kind=filters.kind,
        status=filters.status,
        owner_id=filters.owner_id,
        team_id=filters.team_id,
        custom=custom,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


def _data_from(payload: CustomerIn, user) -> customer_services.CustomerData:
    owner, team = customer_services.assignment_resolve(
        owner_id=payload.owner_id, team_id=payload.team_id
    )
    fields = payload.dict(exclude={"identities", "addresses", "owner_id", "team_id"})
    return customer_services.CustomerData(
        **fields,
        owner=owner,
        team=team,
        identities=[customer_services.IdentityData(**i.dict()) for i in payload.identities],
        addresses=[customer_services.AddressData(**a.dict()) for a in payload.addresses],
    )


@router.post("/customers", response={201: CustomerOut})
def customer_create(request, payload: CustomerIn):
    customer = customer_services.customer_create(
        data=_data_from(payload, request.user), by=request.user
    )
    return Status(201, selectors.customer_get(user=request.user, customer_id=customer.pk))


@router.get("/customers/{customer_id}", response=CustomerOut)
def customer_read(request, customer_id: int):
    return selectors.customer_get(user=request.user, customer_id=customer_id)


@router.patch("/customers/{customer_id}", response=CustomerOut)
def customer_update(request, customer_id: int, payload: CustomerPatch):
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    changes = payload.dict(exclude_unset=True)
    customer_services.customer_update(customer=customer, by=request.user, changes=changes)
    return selectors.customer_get(user=request.user, customer_id=customer_id)


@router.get("/customers/{customer_id}/360", response=Customer360Out, summary="The ficha: 360° view")
def customer_360(request, customer_id: int):
    data = selectors.customer_360(user=request.user, customer_id=customer_id)
    groups = [
        {
            "id": g["group"].pk,
            "name": g["group"].name,
            "kind": g["group"].kind,
            "role": g["role"].role if g["role"] else None,
            "members": [_member_out(m) for m in g["members"]],
        }
        for g in data["groups"]
    ]
    panels = [
        {
            "key": p["panel"].key,
            "title": str(p["panel"].title),
            "data": panel_api_data(p["panel"], p["data"]),
        }
        for p in data["panels"]
    ]
    return {**data, "groups": groups, "panels": panels}


@router.get("/customers/{customer_id}/history", response=list[FieldChangeOut])
def customer_history(request, customer_id: int):
    selectors.customer_get(user=request.user, customer_id=customer_id)
    return list(FieldChange.objects.filter(customer_id=customer_id)[:200])


@router.get("/customers/{customer_id}/identities", response=list[IdentityOut])
def identity_list(request, customer_id: int):
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    return list(customer.identities.order_by("kind", "id"))


@router.post("/customers/{customer_id}/identities", response={201: IdentityOut})
def identity_add(request, customer_id: int, payload: IdentityIn):
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    item = customer_services.IdentityData(**payload.dict())
    return Status(
        201, customer_services.identity_add(customer=customer, item=item, by=request.user)
    )


@router.delete("/customers/{customer_id}/identities/{identity_id}", response={204: None})
def identity_remove(request, customer_id: int, identity_id: int):
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    identity = customer.identities.filter(pk=identity_id).first()
    if identity is None:
        raise NotFound(_("This customer has no identity %(id)s.") % {"id": identity_id})
    customer_services.identity_remove(identity=identity, by=request.user)
    return Status(204, None)


@router.post("/customers/{customer_id}/addresses", response={201: AddressOut})
def address_add(request, customer_id: int, payload: AddressIn):
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    item = customer_services.AddressData(**payload.dict())
    return Status(201, customer_services.address_add(customer=customer, item=item, by=request.user))


@router.get("/customers/{customer_id}/consents", response=list[ConsentOut])
def consent_list(request, customer_id: int):
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    return list(customer.consents.all()[:500])


@router.post("/customers/{customer_id}/consents", response={201: ConsentOut})
def consent_record(request, customer_id: int, payload: ConsentIn):
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    return Status(
        201, relations.consent_record(customer=customer, by=request.user, **payload.dict())
    )


@router.post("/customers/{customer_id}/holdings", response={201: HoldingOut})
def holding_add(request, customer_id: int, payload: HoldingIn):
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    return Status(201, relations.holding_add(customer=customer, by=request.user, **payload.dict()))


@router.post("/customers/{customer_id}/billing-incidents", response={201: BillingIncidentOut})
def billing_incident_add(request, customer_id: int, payload: BillingIncidentIn):
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    return Status(
        201, relations.billing_incident_add(customer=customer, by=request.user, **payload.dict())
    )


@router.post(
    "/customers/{customer_id}/billing-incidents/{incident_id}/resolve",
    response=BillingIncidentOut,
    summary="Resolve a billing incident (resolving a resolved one changes nothing)",
)
def billing_incident_resolve(request, customer_id: int, incident_id: int):
    incident = selectors.billing_incident_get(
        user=request.user, customer_id=customer_id, incident_id=incident_id
    )
    return relations.billing_incident_resolve(incident=incident, by=request.user)


@router.post("/groups", response={201: GroupOut}, tags=["groups"])
def group_create(request, payload: GroupIn):
    group = relations.group_create(name=payload.name, kind=payload.kind, by=request.user)
    return Status(201, {"id": group.pk, "name": group.name, "kind": group.kind, "members": []})


@router.get("/groups/{group_id}", response=GroupOut, tags=["groups"])
def group_read(request, group_id: int):
    group = selectors.group_get(user=request.user, group_id=group_id)
    visible = selectors.customers_visible_to(request.user).values("pk")
    members = group.memberships.filter(customer_id__in=visible).select_related("customer")
    return {
        "id": group.pk,
        "name": group.name,
        "kind": group.kind,
        "members": [_member_out(m) for m in members],
    }


@router.post("/groups/{group_id}/members", response={201: MemberOut}, tags=["groups"])
def group_member_add(request, group_id: int, payload: MemberIn):
    group = selectors.group_get(user=request.user, group_id=group_id)
    customer = selectors.customer_get(user=request.user, customer_id=payload.customer_id)
    membership = relations.group_member_add(
        group=group, customer=customer, role=payload.role, since=payload.since, by=request.user
    )
    return Status(201, _member_out(membership))


@router.delete(
    "/groups/{group_id}/members/{customer_id}",
    response={204: None},
    tags=["groups"],
    summary="Take a customer out of a group",
)
def group_member_remove(request, group_id: int, customer_id: int):
    membership = selectors.membership_get(
        user=request.user, group_id=group_id, customer_id=customer_id
    )
    relations.group_member_remove(membership=membership, by=request.user)
    return Status(204, None)


# --- custom field definitions (administrators: the selectors and services check it) ----

FIELDS_BY_POSITION = Keyset("position", "id", types=(int, int))
FIELDS = ["custom fields"]


@router.get("/custom-fields", response=CustomFieldPageOut, tags=FIELDS)
def custom_field_list(request, filters: Query[CustomFieldQuery]):
    qs = selectors.custom_fields_all(by=request.user)
    if filters.active is not None:
        qs = qs.filter(active=filters.active)
    if filters.type:
        qs = qs.filter(type=filters.type)
    page = FIELDS_BY_POSITION.page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/custom-fields/{field_id}", response=CustomFieldOut, tags=FIELDS)
def custom_field_detail(request, field_id: int):
    return selectors.custom_field_get(by=request.user, field_id=field_id)


@router.post("/custom-fields", response={201: CustomFieldOut}, tags=FIELDS)
def custom_field_create(request, payload: CustomFieldIn):
    return Status(201, field_services.custom_field_create(by=request.user, **payload.dict()))


@router.patch("/custom-fields/{field_id}", response=CustomFieldOut, tags=FIELDS)
def custom_field_update(request, field_id: int, payload: CustomFieldPatch):
    definition = selectors.custom_field_get(by=request.user, field_id=field_id)
    changes = payload.dict(exclude_unset=True)
    active = changes.pop("active", None)
    for name in ("label", "choices", "required", "searchable", "position"):
        if name in changes and changes[name] is None:  # null: nothing to set, say so
            raise ValidationFailed(_("Give a value or leave the field out."), field=name)
    with transaction.atomic():  # a refused change keeps the (de)activation out too
        if changes:
            field_services.custom_field_update(
                by=request.user, definition=definition, changes=changes
            )
        if active is False:
            field_services.custom_field_deactivate(by=request.user, definition=definition)
        elif active is True:
            field_services.custom_field_reactivate(by=request.user, definition=definition)
    return definition
