"""The events the portal emits (see core.events, docs/events.md)."""

from pydantic import Field

from panorama.core.events import Payload, event


@event("portal.link_sent")
class PortalLinkSent(Payload):
    """A customer asked to sign in to the portal: a one-use link went to his e-mail."""

    customer_id: int = Field(description="the customer")
    link_id: int = Field(description="the sign-in link's row")


@event("portal.signed_in")
class PortalSignedIn(Payload):
    """A customer opened his sign-in link: he is signed in to the portal."""

    customer_id: int = Field(description="the customer")
    link_id: int = Field(description="the sign-in link used")
    visitor_events: int = Field(
        description="earlier anonymous web events of his browser's cookie now his"
    )


@event("portal.email_change_requested")
class PortalEmailChangeRequested(Payload):
    """A customer typed a new e-mail address in the portal: a confirmation link went to
    it (and a notice to his current one); nothing changes until he opens it."""

    customer_id: int = Field(description="the customer")
