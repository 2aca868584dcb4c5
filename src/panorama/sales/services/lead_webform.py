"""The public web form: a submission from any web site becomes a lead of source
web_form (``lead_create`` with ``by=None``: scoring and assignment rules apply).

Protected by the form's public token (a wrong one is a 404), a honeypot field (a
submission that fills it is answered as if accepted and dropped: a bot learns nothing),
and a rate limit per address kept in the database (``WebFormThrottle``), so every web
worker counts the same; the origins allowed to post from a browser are the form's."""

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from panorama.core.exceptions import DomainError, NotFound, ValidationFailed
from panorama.customers import identifiers

from ..models import Lead, WebForm, WebFormThrottle
from ..models.lead_rules import WEB_FORM_FIELDS
from .lead import lead_create

HONEYPOT = "website"  # a field people never see, bots fill
MAX_EXTRA_FIELDS = 10  # hidden fields a site adds (utm_source...), kept in the lead's data
MAX_VALUE = 2000


class SubmissionsThrottled(DomainError):
    status_code = 429
    code = "throttled"

    def __init__(self, *, retry_after: int):
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(
            ngettext(
                "Too many submissions from your address. Try again in %(n)d minute.",
                "Too many submissions from your address. Try again in %(n)d minutes.",
                minutes,
            )
            % {"n": minutes}
        )
        self.retry_after = retry_after


def webform_get(*, token: str) -> WebForm:
    form = WebForm.objects.filter(token=token, active=True).select_related("team").first()
    if form is None or not token:
        raise NotFound(_("This form does not exist or no longer takes submissions."))
    return form


@transaction.atomic
def webform_throttle_hit(*, address: str | None) -> None:
    """Count one submission from ``address``; past the limit in the window, refuse it
    (429) until the window ends. Committed on its own, whatever the submission gives."""
    if not address:
        return
    now = timezone.now()
    window = timedelta(seconds=settings.PANORAMA_WEBFORM_WINDOW_SECONDS)
    row, _created = WebFormThrottle.objects.select_for_update().get_or_create(
        address=address, defaults={"window_start": now}
    )
    if row.window_start + window <= now:
        row.window_start, row.count = now, 0
    if row.count >= settings.PANORAMA_WEBFORM_LIMIT:
        retry = math.ceil((row.window_start + window - now).total_seconds())
        raise SubmissionsThrottled(retry_after=max(1, retry))
    row.count += 1
    row.save(update_fields=["window_start", "count"])
    if _created:  # the table grows: forget the windows that ended long ago
        WebFormThrottle.objects.filter(window_start__lt=now - 2 * window).delete()


@dataclass
class Submission:
    lead: Lead | None  # None: the honeypot was filled, nothing was kept
    form: WebForm


def _text(value: Any) -> str:
    return str(value if value is not None else "").replace("\x00", "").strip()


def _language(value: Any) -> str:
    """A language Panorama writes in (``es-ES`` → ``es``), else ""."""
    code = _text(value).split("-")[0].split("_")[0].lower()
    return code if code in {c for c, _name in settings.LANGUAGES} else ""


def webform_submit(*, form: WebForm, values: dict[str, Any], language: str = "") -> Submission:
    """Check every field at once (each error listed under its field), then capture the
    lead. A filled honeypot keeps nothing and says nothing. ``language``: the visitor's
    (a ``language`` field posted wins), kept in ``lead.data`` so that the customer made
    from the lead is written to (quotes, e-mails) in it."""
    if _text(values.get(HONEYPOT)):
        return Submission(lead=None, form=form)
    values = dict(values)
    language = _language(values.pop("language", "")) or _language(language)
    known = {name for name, _label in WEB_FORM_FIELDS}
    labels = dict(WEB_FORM_FIELDS)
    asked = [f for f in form.fields if f in known]
    errors: dict[str, list[str]] = {}
    clean: dict[str, str] = {}
    for name in asked:
        clean[name] = _text(values.get(name))
        if len(clean[name]) > MAX_VALUE:
            errors[name] = [_("At most %(n)d characters.") % {"n": MAX_VALUE}]
    for name in form.required_fields:
        if name in asked and not clean.get(name):
            errors.setdefault(name, []).append(
                _("%(field)s is required.") % {"field": labels[name]}
            )
    if not any(clean.get(f) for f in ("email", "phone")) and not errors:
        errors["email"] = [_("Give an e-mail or a phone so we can answer you.")]
    if clean.get("email") and "email" not in errors:
        try:
            clean["email"] = identifiers.normalise_email(clean["email"])
        except ValidationFailed as exc:
            errors["email"] = [str(exc.message)]
    extra = {
        k: _text(v)[:MAX_VALUE]
        for k, v in values.items()
        if k not in known and k != HONEYPOT and _text(v)
    }
    if len(extra) > MAX_EXTRA_FIELDS:
        errors["__all__"] = [_("Too many fields in the submission.")]
    if errors:
        first = next(iter(errors))
        raise ValidationFailed(errors[first][0], field=first, errors=errors)
    data: dict[str, Any] = {
        k: clean[k] for k in ("country", "region", "postal_code") if clean.get(k)
    }
    if extra:
        data["extra"] = extra
    if language:
        data["language"] = language
    lead = lead_create(
        by=None,
        source=Lead.Source.WEB_FORM,
        first_name=clean.get("first_name", ""),
        last_name=clean.get("last_name", ""),
        company=clean.get("company", ""),
        job_title=clean.get("job_title", ""),
        email=clean.get("email", ""),
        phone=clean.get("phone", ""),
        notes=clean.get("message", ""),
        data=data,
        team=form.team,
        web_form=form,
    )
    return Submission(lead=lead, form=form)
