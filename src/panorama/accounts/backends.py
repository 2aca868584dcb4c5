"""The one authentication backend: Django's model backend behind the sign-in throttle.

Every password check that comes with a request (the sign-in page, the admin's sign-in)
goes through ``authenticate`` and so through here. The API takes no passwords: it
authenticates bearer tokens (``api_token_authenticate``), random 256-bit keys that no
throttle is needed to protect.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from panorama.core.http import client_ip

from .services import LoginThrottled, login_attempt_begin, login_attempt_succeeded


class ThrottledModelBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if request is None or username is None or password is None:
            # No caller to throttle (the shell, a management command): check as Django does.
            return super().authenticate(request, username, password, **kwargs)
        try:
            attempt = login_attempt_begin(username=username, ip_address=client_ip(request))
        except LoginThrottled as exc:
            # The password is not even checked. Django's authenticate() turns this into
            # the failed-login signal, whose receiver audits it; the middleware answers 429.
            request.login_throttled = exc
            raise PermissionDenied from exc
        user = super().authenticate(request, username, password, **kwargs)
        if user is not None:
            login_attempt_succeeded(attempt=attempt)
        elif attempt.lock_seconds:
            request.login_lock_seconds = attempt.lock_seconds
        return user
