"""SMS to case: a customer's text answers the open case an agent last answered on
that thread (the messaging account and the customer's number). A case opened from an
SMS is answered by SMS (``service/services/reply.py``); his answer comes back here and
lands on the case as his message (``case_message_add``, which opens again a case that
waited on him); a resolved case is reopened, as by his e-mail (``mail/cases.py``). A
closed case takes nothing. With several such cases, the one answered most recently;
with none, the text stays on the timeline only."""

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _

from panorama.service.models import Case, CaseMessage
from panorama.service.services.case import case_message_add, case_set_status

from ..models import Interaction
from .models import TextMessage

K = CaseMessage.Kind


def case_for_text(message: TextMessage) -> Case | None:
    """The case, not closed, whose last sent reply went out on ``message``'s thread."""
    if message.customer_id is None:
        return None
    last_reply = CaseMessage.objects.filter(
        case=OuterRef("pk"), kind=K.REPLY, delivery=CaseMessage.Delivery.SENT
    ).order_by("-id")
    thread = TextMessage.objects.filter(
        account_id=message.account_id,
        direction=Interaction.Direction.OUTBOUND,
        number=message.number,
        customer_id=message.customer_id,
        interaction__isnull=False,
    ).values("interaction_id")
    return (
        Case.objects.filter(customer_id=message.customer_id)
        .exclude(status=Case.Status.CLOSED)
        .annotate(
            last_reply_id=Subquery(last_reply.values("pk")[:1]),
            last_reply_interaction=Subquery(last_reply.values("interaction_id")[:1]),
        )
        .filter(last_reply_interaction__in=thread)
        .order_by("-last_reply_id")
        .first()
    )


def text_to_case(message: TextMessage) -> CaseMessage | None:
    """Put a received text on the case it answers, if any (the system acts)."""
    case = case_for_text(message)
    if case is None:
        return None
    if case.status == Case.Status.RESOLVED:
        case_set_status(
            by=None,
            case_id=case.pk,
            status=Case.Status.REOPENED,
            note=_("Reopened by the customer's text message."),
        )
    return case_message_add(
        by=None,
        case_id=case.pk,
        body=message.body,
        kind=K.CUSTOMER,
        interaction=message.interaction,
    )
