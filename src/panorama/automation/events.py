"""The events the automation app emits (see core.events, docs/events.md)."""

from typing import Any

from pydantic import Field

from panorama.core.events import Payload, event


@event("rule.saved")
class RuleSaved(Payload):
    """A business rule was created, changed, paused, resumed or imported."""

    rule_id: int = Field(description="the rule")
    created: bool = Field(description="true when it is new")
    active: bool = Field(description="false when it is paused")
    by: int | None = Field(description="the administrator (null: the system)")


@event("alert.raised")
class AlertRaised(Payload):
    """An alert about a customer was raised for a user or a team (by a rule or a person)."""

    alert_id: int = Field(description="the alert")
    customer_id: int = Field(description="its customer")
    user_id: int | None = Field(description="the user it is for (null: a team)")
    team_id: int | None = Field(description="the team it is for (null: a user)")
    priority: int = Field(description="1 low, 2 normal, 3 high")
    rule_id: int | None = Field(description="the rule that raised it (null: a person)")


class AlertRaisedItem(Payload):
    """One alert of a batch."""

    alert_id: int = Field(description="the alert")
    customer_id: int = Field(description="its customer")
    user_id: int | None = Field(description="the user it is for (null: a team)")
    team_id: int | None = Field(description="the team it is for (null: a user)")
    priority: int = Field(description="1 low, 2 normal, 3 high")


@event("automation.alerts_raised", batch_of="alert.raised", items="alerts")
class AlertsRaised(Payload):
    """A system sweep (the SLA sweep's warnings) raised many alerts at once: one event
    for up to 1,000 alerts (a batch of `alert.raised`), not an outbox row each."""

    rule_id: int | None = Field(description="the rule that raised them (null: the system)")
    alerts: list[AlertRaisedItem] = Field(description="the alerts, in the order raised")


@event("web.event_tracked")
class WebEventTracked(Payload):
    """A named event (not a page view) arrived from a tracked web site, e.g. a mortgage
    simulation; rules trigger on it."""

    site_id: int = Field(description="the tracked site")
    name: str = Field(description="the event's name on the site (mortgage_simulation...)")
    customer_id: int | None = Field(description="the visitor's customer (null: anonymous)")
    visitor: str = Field(description="the first-party cookie id")
    data: dict[str, Any] = Field(description="what the page sent (amount, term, rate...)")


@event("web.visitor_identified")
class WebVisitorIdentified(Payload):
    """A web visitor's cookie was linked to a customer; his earlier events are his now."""

    site_id: int = Field(description="the tracked site")
    visitor: str = Field(description="the first-party cookie id")
    customer_id: int = Field(description="the customer")
    via: str = Field(description="link (a tracked link), form (a web form), chat or portal")
    events: int = Field(description="how many earlier anonymous events were attributed")
