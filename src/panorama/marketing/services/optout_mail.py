"""One personalised marketing e-mail with its opt-out, as journeys' steps and the rules'
``send_email`` action both send it: the customer's primary e-mail address, the template
rendered in his language, and the unsubscribe link three ways (the RFC 8058 one-click
headers, a footer in the text part, a link in the HTML part)."""

import html

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import translation
from django.utils.translation import gettext as _

from panorama.customers.models import Identity

from .. import messages
from ..models import MessageTemplate


def email_address(customer_id: int) -> str | None:
    """The customer's e-mail address: his primary one, else the first given."""
    return (
        Identity.objects.filter(customer_id=customer_id, kind=Identity.Kind.EMAIL)
        .order_by("-is_primary", "id")
        .values_list("value", flat=True)
        .first()
    )


def optout_mail(
    *,
    template: MessageTemplate,
    customer_id: int,
    address: str,
    unsubscribe: str,
    headers: dict[str, str] | None = None,
) -> tuple[EmailMultiAlternatives, messages.Rendered]:
    from .sending import customer_context, html_body

    context = customer_context([customer_id])[customer_id]
    rendered = messages.Compiled(template).render(context | {"unsubscribe_url": unsubscribe})
    with translation.override(rendered.language):
        footer = _("To stop receiving these e-mails: %(url)s") % {"url": unsubscribe}
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=f"{rendered.body}\n\n--\n{footer}\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers={
            # RFC 8058: a mail client unsubscribes with one POST, no page to click through.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            **(headers or {}),
        },
    )
    footer_html = (
        f'<p><a href="{html.escape(unsubscribe)}">{html.escape(footer.split(":")[0])}</a></p>'
    )
    body_html = html_body(rendered.body, pixel_url="")
    message.attach_alternative(
        body_html.replace("</body>", footer_html + "</body>", 1), "text/html"
    )
    return message, rendered
