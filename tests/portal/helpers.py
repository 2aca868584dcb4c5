"""What the portal's tests share: a customer with an e-mail, the link the mail carries."""

import re

from django.urls import reverse

URL = re.compile(r"https?://\S+/portal/login/\S+/")


def link_in(message) -> str:
    """The sign-in link of an e-mail received by the test SMTP server, as a path."""
    body = message.get_body(preferencelist=("plain",)).get_content()
    found = URL.search(body)
    assert found, body
    return "/" + found.group(0).split("/", 3)[3]


def sign_in_path(link_id: int) -> str:
    from panorama.portal.services import login_link_token

    return reverse("portal:enter", args=[login_link_token(link_id)])
