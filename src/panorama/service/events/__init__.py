"""The events the service app emits (see core.events, docs/events.md): cases, SLA,
knowledge base, calls and callbacks here; field service in ``events/field.py``."""

from pydantic import Field

from panorama.core.events import Payload, event


@event("case.opened")
class CaseOpened(Payload):
    """A case was opened for a customer, from any channel."""

    case_id: int = Field(description="the new case")
    customer_id: int = Field(description="its customer")
    channel: str = Field(description="where it came from: phone, email, portal, chat...")
    queue_id: int | None = Field(description="the queue it waits in (null: none)")
    owner_id: int | None = Field(description="the agent it was routed to (null: nobody yet)")
    by: int | None = Field(description="who opened it (null: a channel or the system)")


@event("case.assigned")
class CaseAssigned(Payload):
    """A case was given to an agent (or taken back from one)."""

    case_id: int = Field(description="the case")
    owner_id: int | None = Field(description="the agent now in charge (null: nobody)")
    by: int | None = Field(description="who assigned it (null: routing)")


@event("case.status_changed")
class CaseStatusChanged(Payload):
    """A case changed status (opened, waiting on the customer, resolved, closed, reopened)."""

    case_id: int = Field(description="the case")
    customer_id: int = Field(description="its customer")
    from_status: str = Field(description="the status it had")
    to_status: str = Field(description="the status it has now")
    by: int | None = Field(description="who changed it (null: the system)")


@event("case.updated")
class CaseUpdated(Payload):
    """A case's details (type, priority, queue, product, asset) were changed after it was
    opened; its thread says from what to what."""

    case_id: int = Field(description="the case")
    customer_id: int = Field(description="its customer")
    changed: list[str] = Field(description="what changed: type, priority, queue, product, asset")
    by: int | None = Field(description="who changed it (null: the system)")


@event("case.message_added")
class CaseMessageAdded(Payload):
    """A reply, a customer message or an internal note was added to a case."""

    case_id: int = Field(description="the case")
    message_id: int = Field(description="the new message")
    kind: str = Field(description="reply, customer or note")
    by: int | None = Field(description="its author (null: the customer or the system)")


@event("case.attachment_removed")
class CaseAttachmentRemoved(Payload):
    """An agent removed a file attached by mistake to a reply or note of a case."""

    case_id: int = Field(description="the case")
    customer_id: int = Field(description="its customer")
    attachment_id: int = Field(description="the file removed (no longer downloadable)")
    message_id: int = Field(description="the reply or note it was attached to")
    filename: str = Field(description="its name")
    by: int | None = Field(description="who removed it")


@event("case.attachment_restored")
class CaseAttachmentRestored(Payload):
    """An agent put back a file removed from a case: listed and downloadable again."""

    case_id: int = Field(description="the case")
    customer_id: int = Field(description="its customer")
    attachment_id: int = Field(description="the file restored")
    message_id: int = Field(description="the reply or note it is attached to")
    filename: str = Field(description="its name")
    by: int | None = Field(description="who restored it")


@event("sla.calendar_saved")
class SlaCalendarSaved(Payload):
    """A business-hours calendar was created or changed (hours, time zone, holidays)."""

    calendar_id: int = Field(description="the calendar")
    by: int | None = Field(description="who saved it (null: the system)")


@event("sla.policy_saved")
class SlaPolicySaved(Payload):
    """An SLA policy was created or changed."""

    policy_id: int = Field(description="the policy")
    by: int | None = Field(description="who saved it (null: the system)")


@event("service.queue_saved")
class QueueSaved(Payload):
    """A queue was created or changed (name, address, active, members and skills)."""

    queue_id: int = Field(description="the queue")
    by: int | None = Field(description="who saved it (null: the system)")


@event("case.sla_warned")
class CaseSlaWarned(Payload):
    """A case is about to breach its service level (flagged in the queue). The SLA sweep
    emits these in batches (`sla.cases_warned`)."""

    case_id: int = Field(description="the case")
    target: str = Field(description="first_response or resolution")
    due: str = Field(description="when it is due (ISO 8601)")
    policy_id: int = Field(description="the SLA policy")


class SlaWarning(Payload):
    """One case warned by the sweep."""

    case_id: int = Field(description="the case")
    target: str = Field(description="first_response or resolution")
    due: str = Field(description="when it is due (ISO 8601)")


@event("sla.cases_warned", batch_of="case.sla_warned", items="warnings")
class SlaCasesWarned(Payload):
    """The SLA sweep warned cases of one policy that they are about to breach: one event
    per policy and sweep for up to 1,000 cases (a batch of `case.sla_warned`)."""

    policy_id: int = Field(description="the SLA policy")
    warnings: list[SlaWarning] = Field(description="the cases warned, newest first")


@event("case.escalated")
class CaseEscalated(Payload):
    """A case breached its service level and was escalated per its policy. The SLA
    sweep emits these in batches (`sla.cases_escalated`)."""

    case_id: int = Field(description="the case")
    target: str = Field(description="the target breached: first_response or resolution")
    policy_id: int = Field(description="the SLA policy applied")
    queue_id: int | None = Field(description="the queue it is in now")
    owner_id: int | None = Field(description="the agent in charge now")
    priority: str = Field(description="its priority now")


class SlaEscalation(Payload):
    """One escalation of the sweep, with the case as the escalation left it."""

    case_id: int = Field(description="the case")
    target: str = Field(description="the target breached: first_response or resolution")
    queue_id: int | None = Field(description="the queue it is in now")
    owner_id: int | None = Field(description="the agent in charge now")
    priority: str = Field(description="its priority now")


@event("sla.cases_escalated", batch_of="case.escalated", items="escalations")
class SlaCasesEscalated(Payload):
    """The SLA sweep escalated breached cases of one policy: one event per policy and
    sweep for up to 1,000 escalations (a batch of `case.escalated`), so a sweep after
    an outage writes a few hundred outbox rows, not one per case."""

    policy_id: int = Field(description="the SLA policy applied")
    escalations: list[SlaEscalation] = Field(
        description="first responses then resolutions, each newest case first"
    )


class SlaRecount(Payload):
    """One case whose service level was counted again, with the note saying so."""

    case_id: int = Field(description="the case")
    policy_id: int = Field(description="the SLA policy it has now")
    message_id: int = Field(description="the internal note on the case saying what moved")


@event("sla.cases_recounted")
class SlaCasesRecounted(Payload):
    """Open cases got another SLA policy or other due times after an escalation moved
    them (the SLA sweep's recount tasks, up to 5,000 cases each, after its commit) or a
    contract was extended, renewed or cancelled; each has an internal note saying what
    moved. One event per recount for up to 1,000 cases: the
    notes emit no `case.message_added` of their own (a sweep after an outage writes
    hundreds of thousands)."""

    reason: str = Field(description="why, as the notes say it")
    cases: list[SlaRecount] = Field(description="the cases recounted")


@event("csat.sent")
class CsatSent(Payload):
    """The satisfaction survey of a resolved case was sent to its customer."""

    case_id: int = Field(description="the case")
    email: str = Field(description="the address it went to")


@event("csat.answered")
class CsatAnswered(Payload):
    """The customer answered the satisfaction survey of a case."""

    case_id: int = Field(description="the case")
    score: int = Field(description="1 (bad) to 5 (good)")


@event("article.saved")
class ArticleSaved(Payload):
    """A knowledge base article was written: created, edited or an old version restored
    (each a new version)."""

    article_id: int = Field(description="the article")
    version: int = Field(description="the number of its new current version")
    language: str = Field(description="es or en")
    by: int | None = Field(description="who wrote it (null: the system)")


@event("article.status_changed")
class ArticleStatusChanged(Payload):
    """A knowledge base article was published or archived."""

    article_id: int = Field(description="the article")
    from_status: str = Field(description="draft, published or archived")
    to_status: str = Field(description="draft, published or archived")
    by: int | None = Field(description="who changed it (null: the system)")


@event("article.category_saved")
class ArticleCategorySaved(Payload):
    """A knowledge base category was created, renamed, moved under another one or
    reordered among its siblings."""

    category_id: int = Field(description="the category")
    parent_id: int | None = Field(description="the category it is under (null: top level)")
    position: int = Field(description="its place among its siblings")
    by: int | None = Field(description="who saved it (null: the system)")


@event("article.category_deleted")
class ArticleCategoryDeleted(Payload):
    """An empty knowledge base category was deleted."""

    category_id: int = Field(description="the category (gone)")
    slug: str = Field(description="the address it had")
    parent_id: int | None = Field(description="the category it was under (null: top level)")
    by: int | None = Field(description="who deleted it (null: the system)")


@event("article.rated")
class ArticleRated(Payload):
    """A reader said whether an article helped him (counted once per visitor)."""

    article_id: int = Field(description="the article")
    helpful: bool = Field(description="true: it helped")


# --- calls and callbacks ------------------------------------------------------------------


@event("call.received")
class CallReceived(Payload):
    """An inbound call rang an agent's extension (the PBX's webhook); it popped on his screen."""

    call_id: int = Field(description="the call")
    customer_id: int | None = Field(description="the caller, when one customer has the number")
    agent_id: int | None = Field(description="the agent whose extension rang")
    matches: int = Field(description="how many customers hold the caller's number")


@event("call.ended")
class CallEnded(Payload):
    """A call ended (the PBX's webhook); with a customer it is on his timeline."""

    call_id: int = Field(description="the call")
    customer_id: int | None = Field(description="its customer (null: unknown number)")
    agent_id: int | None = Field(description="the agent on the call")
    outcome: str = Field(description="answered, missed, busy, failed or voicemail")
    duration_seconds: int = Field(description="how long it lasted")


@event("call.linked")
class CallLinked(Payload):
    """An agent linked a call to a customer, logged it, or opened a case from it."""

    call_id: int = Field(description="the call")
    customer_id: int | None = Field(description="its customer")
    case_id: int | None = Field(description="the case opened from it (null: none)")
    by: int = Field(description="the agent")


@event("call.dialled")
class CallDialled(Payload):
    """An agent clicked a number: the PBX accepted the request to call it."""

    call_id: int = Field(description="the outbound call")
    customer_id: int | None = Field(description="the customer called (null: unknown number)")
    agent_id: int = Field(description="the agent whose extension places the call")
    number: str = Field(description="the number called (E.164)")


@event("callback.requested")
class CallbackRequested(Payload):
    """Someone asked to be called back (portal, web form, IVR or an agent)."""

    callback_id: int = Field(description="the callback request")
    customer_id: int | None = Field(description="the customer (null: not identified)")
    source: str = Field(description="portal, webform, ivr or agent")
    queue_id: int | None = Field(description="its queue")
    assigned_to_id: int | None = Field(description="the agent who will call")
    by: int | None = Field(description="who recorded it (null: the public, the IVR)")


@event("callback.assigned")
class CallbackAssigned(Payload):
    """A callback request was given to an agent (or taken back)."""

    callback_id: int = Field(description="the callback request")
    assigned_to_id: int | None = Field(description="the agent now in charge (null: nobody)")
    by: int = Field(description="who assigned it")


@event("callback.closed")
class CallbackClosed(Payload):
    """A callback request was done or cancelled."""

    callback_id: int = Field(description="the callback request")
    status: str = Field(description="done or cancelled")
    by: int = Field(description="the agent")


@event("callback.escalated")
class CallbackEscalated(Payload):
    """A callback was still open after its window: flagged, its queue's manager told."""

    callback_id: int = Field(description="the callback request")
    queue_id: int | None = Field(description="its queue")
    assigned_to_id: int | None = Field(description="the agent it was assigned to")


from . import field  # noqa: E402, F401  (the field service's events, declared on import)
