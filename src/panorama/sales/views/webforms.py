"""The public web form's endpoint (``/forms/<token>/submit``, no login, no CSRF token:
the form's own token, the honeypot and the rate limit protect it; CORS for the form's
origins) and the administrators' snippet page."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from panorama.accounts.permissions import ensure_can
from panorama.core.exceptions import DomainError, PermissionDenied
from panorama.core.http import client_ip

from ..models import WebForm
from ..models.lead_rules import WEB_FORM_FIELDS
from ..services.lead_webform import (
    HONEYPOT,
    SubmissionsThrottled,
    webform_get,
    webform_submit,
    webform_throttle_hit,
)


def _origin_of(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _allowed(request, form: WebForm | None) -> str | None:
    """The caller's Origin when it may read the answer (a form's origin or ours)."""
    origin = request.headers.get("Origin", "").rstrip("/")
    if not origin:
        return None
    if origin == _origin_of(request) or (form is not None and origin in form.origins()):
        return origin
    return None


def _answer(request, response: HttpResponse, form: WebForm | None) -> HttpResponse:
    origin = _allowed(request, form)
    if origin:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Content-Type, Accept"
        response["Access-Control-Max-Age"] = "86400"
    response["Vary"] = "Origin"
    return response


def _error(request, exc: DomainError, form: WebForm | None) -> HttpResponse:
    body = {"detail": str(exc.message), "code": exc.code, "errors": exc.errors}
    response = JsonResponse(body, status=exc.status_code)
    if isinstance(exc, SubmissionsThrottled):
        response["Retry-After"] = str(exc.retry_after)
    return _answer(request, response, form)


@login_not_required
@csrf_exempt
@require_http_methods(["POST", "OPTIONS"])
def webform_submit_view(request, token: str):
    form = None
    try:
        form = webform_get(token=token)
        if request.method == "OPTIONS":  # the CORS preflight
            return _answer(request, HttpResponse(status=204), form)
        if request.headers.get("Origin") and _allowed(request, form) is None:
            raise PermissionDenied(_("This site may not send this form."))
        webform_throttle_hit(address=client_ip(request))
        # The visitor's language when his browser says it (a posted field wins).
        said = request.headers.get("Accept-Language")
        language = translation.get_language_from_request(request) if said else ""
        webform_submit(form=form, values=request.POST.dict(), language=language)
    except DomainError as exc:
        return _error(request, exc, form)
    wants_json = "application/json" in request.headers.get("Accept", "")
    if form.thank_you_url and not wants_json:
        return _answer(request, redirect(form.thank_you_url), form)
    body = {"ok": True, "message": _("Thank you: we will be in touch soon.")}
    return _answer(request, JsonResponse(body, status=201), form)


def snippet_html(request, form: WebForm) -> str:
    """The HTML to paste into a web site: the form's fields, the honeypot, and the small
    script served from Panorama's own static files."""
    action = request.build_absolute_uri(reverse("webform_submit", args=[form.token]))
    script = request.build_absolute_uri(static("sales/webform.js"))
    labels = dict(WEB_FORM_FIELDS)
    thanks = f' data-thank-you="{escape(form.thank_you_url)}"' if form.thank_you_url else ""
    lines = [f'<form action="{action}" method="post" data-panorama-form{thanks}>']
    for name in form.fields:
        if name not in labels:
            continue
        required = " required" if name in form.required_fields else ""
        kind = {"email": "email", "phone": "tel"}.get(name, "text")
        control = (
            f'<textarea name="{name}" id="pn-{name}"{required}></textarea>'
            if name == "message"
            else f'<input type="{kind}" name="{name}" id="pn-{name}"{required}>'
        )
        lines.append(f'  <p><label for="pn-{name}">{labels[name]}</label><br>{control}</p>')
    lines += [
        '  <p style="position:absolute;left:-9999px" aria-hidden="true">'
        f'<input type="text" name="{HONEYPOT}" tabindex="-1" autocomplete="off"></p>',
        f'  <p><button type="submit">{_("Send")}</button></p>',
        '  <p data-panorama-message role="status"></p>',
        "</form>",
        f'<script src="{script}" defer></script>',
    ]
    return "\n".join(lines)


@require_GET
def webform_snippet(request, form_id: int):
    ensure_can(request.user, "sales.configure")
    form = get_object_or_404(WebForm, pk=form_id)
    return render(
        request,
        "sales/webforms/snippet.html",
        {"form": form, "snippet": snippet_html(request, form)},
    )
