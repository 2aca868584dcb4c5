"""The request a page gets, as type checkers should see it.

Every page sits behind ``LoginRequiredMiddleware``, so its ``request.user`` is a
signed-in ``User`` (never ``AnonymousUser``), and django-htmx's middleware adds
``request.htmx``. Views annotate ``request: SignedInRequest``.
"""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from .models import User


class SignedInRequest(HttpRequest):
    user: User  # narrower than HttpRequest's: LoginRequiredMiddleware lets no one else in
    htmx: HtmxDetails
