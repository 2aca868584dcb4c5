"""The events the service app emits (see core.events, docs/events.md)."""

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


@event("case.message_added")
class CaseMessageAdded(Payload):
    """A reply, a customer message or an internal note was added to a case."""

    case_id: int = Field(description="the case")
    message_id: int = Field(description="the new message")
    kind: str = Field(description="reply, customer or note")
    by: int | None = Field(description="its author (null: the customer or the system)")


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


@event("case.sla_warned")
class CaseSlaWarned(Payload):
    """A case is about to breach its service level (flagged in the queue)."""

    case_id: int = Field(description="the case")
    target: str = Field(description="first_response or resolution")
    due: str = Field(description="when it is due (ISO 8601)")


@event("case.escalated")
class CaseEscalated(Payload):
    """A case breached its service level and was escalated per its policy."""

    case_id: int = Field(description="the case")
    target: str = Field(description="the target breached: first_response or resolution")
    policy_id: int = Field(description="the SLA policy applied")
    queue_id: int | None = Field(description="the queue it is in now")
    owner_id: int | None = Field(description="the agent in charge now")
    priority: str = Field(description="its priority now")


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


@event("article.rated")
class ArticleRated(Payload):
    """A reader said whether an article helped him (counted once per visitor)."""

    article_id: int = Field(description="the article")
    helpful: bool = Field(description="true: it helped")
