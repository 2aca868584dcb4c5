"""Customer satisfaction (CSAT): when a case is resolved its customer gets an e-mail with
five one-click links (1 bad … 5 good), each a signed token (``django.core.signing``,
no login); the first answer counts, a link expires after ``CSAT_MAX_AGE``."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from panorama.core.events import emit
from panorama.core.exceptions import Conflict, NotFound, ValidationFailed
from panorama.customers.models import Customer, Identity

from ..models import Case, CaseSurvey

logger = logging.getLogger(__name__)
SALT = "panorama.service.csat"
CSAT_MAX_AGE = timedelta(days=14)
SCORES = (1, 2, 3, 4, 5)


def survey_token(case: Case, score: int) -> str:
    return signing.dumps({"case": case.pk, "score": score}, salt=SALT, compress=True)


def survey_links(case: Case, base_url: str = "") -> dict[int, str]:
    base = base_url or getattr(settings, "PANORAMA_BASE_URL", "")
    return {s: base + reverse("service:csat_answer", args=[survey_token(case, s)]) for s in SCORES}


def survey_send(case: Case) -> str:
    """E-mail the survey to the customer's primary address (none: nothing sent, "")."""
    email = (
        Identity.objects.filter(customer_id=case.customer_id, kind=Identity.Kind.EMAIL)
        .order_by("-is_primary", "id")
        .values_list("value", flat=True)
        .first()
    )
    if not email or hasattr(case, "survey"):
        return ""
    links = survey_links(case)
    lines = [f"{score} — {links[score]}" for score in SCORES]
    # The customer's language, not that of the agent who resolved the case (as the
    # e-mail-to-case auto-reply, channels/mail/cases.py).
    language = (
        Customer.objects.filter(pk=case.customer_id).values_list("language", flat=True).first()
    )
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = _("How did we do with your case %(ref)s?") % {"ref": case.reference}
        body = _(
            "Your case %(ref)s (%(subject)s) was resolved. One click tells us how satisfied "
            "you are, from 1 (not at all) to 5 (very):"
        ) % {"ref": case.reference, "subject": case.subject}
    send_mail(
        subject=subject,
        message=body + "\n\n" + "\n".join(lines),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[email],
    )
    emit("csat.sent", case_id=case.pk, email=email)
    return email


def survey_send_safely(case: Case) -> str:
    """``survey_send`` after the resolution's commit: a mail server down is logged, the
    resolution stands."""
    try:
        return survey_send(case)
    except Exception:
        logger.exception("the satisfaction survey of case %s could not be sent", case.pk)
        return ""


def survey_answer(*, token: str, comment: str = "") -> CaseSurvey:
    """Record the answer a signed link carries (once per case). NotFound for a forged
    link, ValidationFailed for an expired one, Conflict when already answered."""
    try:
        data = signing.loads(token, salt=SALT, max_age=CSAT_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationFailed(
            _("This survey link has expired. Thank you all the same."), field="token"
        ) from None
    except signing.BadSignature:
        raise NotFound(_("This survey link is not valid.")) from None
    score = data.get("score")
    if score not in SCORES:
        raise NotFound(_("This survey link is not valid."))
    case = Case.objects.filter(pk=data.get("case")).first()
    if case is None:
        raise NotFound(_("This survey link is not valid."))
    try:
        with transaction.atomic():
            survey = CaseSurvey.objects.create(case=case, score=score, comment=comment[:2000])
    except IntegrityError:
        raise Conflict(_("This survey was already answered. Thank you!"), field="token") from None
    emit("csat.answered", case_id=case.pk, score=score)
    return survey


def csat_report(cases: QuerySet[Case]) -> dict[str, list[dict]]:
    """The average score and the number of answers per queue and per agent, of ``cases``
    (two grouped queries)."""
    answered = cases.filter(survey__isnull=False)
    return {
        "queues": list(
            answered.values("queue__name")
            .annotate(average=Avg("survey__score"), answers=Count("id"))
            .order_by("queue__name")
        ),
        "agents": list(
            answered.values("owner__username", "owner__first_name", "owner__last_name")
            .annotate(average=Avg("survey__score"), answers=Count("id"))
            .order_by("owner__username")
        ),
    }
