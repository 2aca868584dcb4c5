from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.utils import translation


class LoginRequiredMiddleware:
    """Every page needs a signed-in user, except the few listed as public.

    The API authenticates with bearer tokens itself (and answers 401 JSON), static
    files are public assets.
    """

    PUBLIC_PREFIXES = ("/accounts/login/", "/static/", "/api/", "/i18n/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated and not request.path.startswith(self.PUBLIC_PREFIXES):
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)


class UserLanguageMiddleware:
    """A user's chosen language wins over the browser's Accept-Language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class LoginThrottleMiddleware:
    """A sign-in refused by the throttle (``ThrottledModelBackend``) answers 429 with
    Retry-After, whichever page asked (the sign-in page or the admin's): the page itself
    renders the throttle's message in its form."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        throttled = getattr(request, "login_throttled", None)
        if throttled is not None:
            response.status_code = throttled.status_code
            response["Retry-After"] = str(throttled.retry_after)
        return response
