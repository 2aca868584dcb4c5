import datetime

from django.utils.translation import gettext as _
from ninja import Router, Status

from panorama.core.exceptions import ValidationFailed
from panorama.customers.selectors import customer_get

from . import selectors, services
from .schemas import InteractionIn, InteractionOut

router = Router(tags=["interactions"])


@router.get("/customers/{customer_id}/interactions", response=list[InteractionOut])
def interaction_list(
    request,
    customer_id: int,
    channel: str = "",
    before: datetime.datetime | None = None,
    before_id: int | None = None,
    limit: int = 50,
):
    customer_get(user=request.user, customer_id=customer_id)
    if (before is None) != (before_id is None):
        raise ValidationFailed(_("Give both before and before_id to page back."), field="before")
    cursor = (before, before_id) if before is not None and before_id is not None else None
    return selectors.timeline(customer_id=customer_id, channel=channel, before=cursor, limit=limit)


@router.post("/customers/{customer_id}/interactions", response={201: InteractionOut})
def interaction_create(request, customer_id: int, payload: InteractionIn):
    customer = customer_get(user=request.user, customer_id=customer_id)
    data = payload.dict(exclude={"related"})
    if payload.related is not None:
        data["related"] = services.related_resolve(
            type_label=payload.related.type,
            object_id=payload.related.id,
            customer_id=customer.pk,
        )
    interaction = services.interaction_record(
        customer_id=customer.pk, by=request.user, agent=request.user, **data
    )
    return Status(201, interaction)
