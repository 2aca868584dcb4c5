import datetime

from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from panorama.core.exceptions import ValidationFailed
from panorama.customers.selectors import customer_get

from . import failures, selectors, services
from .models import Interaction
from .schemas import (
    FailedMessageOut,
    FailedMessagePageOut,
    FailedMessageQuery,
    InteractionIn,
    InteractionOut,
)

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


@router.get("/channels/failed-messages", response=FailedMessagePageOut, tags=["failed messages"])
def failed_message_list(request, filters: Query[FailedMessageQuery]):
    """Messages that did not go out, every channel, of the customers you see; newest
    first, paged by ``next_cursor``."""
    if filters.channel and filters.channel not in Interaction.Channel.values:
        raise ValidationFailed(
            _("Unknown channel %(c)s.") % {"c": filters.channel}, field="channel"
        )
    if filters.state not in ("", "waiting", "retried"):
        raise ValidationFailed(_("The state is waiting or retried."), field="state")
    qs = failures.failures_filter(
        failures.failures_visible_to(request.user),
        channel=filters.channel,
        since=filters.since,
        until=filters.until,
        state=filters.state,
    )
    page = failures.NEWEST_FIRST.page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get(
    "/channels/failed-messages/{interaction_id}",
    response=FailedMessageOut,
    tags=["failed messages"],
)
def failed_message_detail(request, interaction_id: int):
    return failures.failure_get(user=request.user, interaction_id=interaction_id)


@router.post(
    "/channels/failed-messages/{interaction_id}/retry",
    response=InteractionOut,
    tags=["failed messages"],
)
def failed_message_retry(request, interaction_id: int):
    """Send it again through its channel's service, as you (your identities, your
    permissions): the new timeline entry. 409 when it was sent again already or its
    kind cannot be; 422 when the server or provider refuses it again (that attempt is a
    failed message of its own)."""
    return failures.failure_retry(by=request.user, interaction_id=interaction_id)
