from django.utils import translation


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
