"""One personalised marketing e-mail with its opt-out, as journeys' steps and the rules'
``send_email`` action both send it: the customer's primary e-mail address, the template
rendered in his language, and the unsubscribe link three ways (the RFC 8058 one-click
headers, a footer in the text part, a link in the HTML part)."""

import html
from collections.abc import Callable

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
    pixel_url: str = "",
    link: Callable[[str], str] | None = None,
) -> tuple[EmailMultiAlternatives, messages.Rendered]:
    """The message; with ``pixel_url`` and ``link`` (a journey's), its opens and its links
    are tracked (the links of both parts through ``link``)."""
    from .sending import _URL, customer_context, html_body

    compiled = messages.Compiled(template)
    context = customer_context([customer_id], compiled=[compiled])[customer_id]
    rendered = compiled.render(context | {"unsubscribe_url": unsubscribe})
    with translation.override(rendered.language):
        footer = _("To stop receiving these e-mails: %(url)s") % {"url": unsubscribe}
    text = _URL.sub(lambda m: link(m.group(0)), rendered.body) if link else rendered.body
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=f"{text}\n\n--\n{footer}\n",
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
    body_html = html_body(rendered.body, pixel_url="", link=link or (lambda url: url))
    pixel = f'<img src="{html.escape(pixel_url)}" width="1" height="1" alt="">' if pixel_url else ""
    message.attach_alternative(
        body_html.replace("</body>", footer_html + pixel + "</body>", 1), "text/html"
    )
    return message, rendered
