"""Journeys (list, design with the steps edited in place through HTMX, report) and the
lists' public sign-up forms."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panorama.accounts.permissions import ensure_can
from panorama.core.exceptions import DomainError, NotFound
from panorama.core.forms import ServiceForm
from panorama.core.lists import list_response

from .. import selectors
from ..lists_pages import JOURNEYS
from ..models import Journey, JourneyStep, MessageTemplate, SignupForm
from ..services import journeys as journey_services
from ..services import signups as signup_services
from .campaigns import _styled


class JourneyForm(ServiceForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    trigger = forms.ChoiceField(label=gettext_lazy("Starts when"), choices=Journey.Trigger.choices)
    trigger_list = forms.ModelChoiceField(
        label=gettext_lazy("List"), queryset=selectors.lists_all(), required=False
    )
    trigger_form = forms.ModelChoiceField(
        label=gettext_lazy("Sign-up form"), queryset=SignupForm.objects.all(), required=False
    )
    trigger_event = forms.ChoiceField(label=gettext_lazy("Event"), choices=(), required=False)
    trigger_days = forms.IntegerField(
        label=gettext_lazy("Days before the end"),
        help_text=gettext_lazy("For “a product held is about to end”: from 1 to 365."),
        required=False,
    )
    allow_reentry = forms.BooleanField(
        label=gettext_lazy("A customer may go through it again"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        events = self.fields["trigger_event"]
        assert isinstance(events, forms.ChoiceField)
        events.choices = [("", "—")] + [(e, e) for e in journey_services.journey_events()]


class SignupFormForm(ServiceForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    static_list = forms.ModelChoiceField(
        label=gettext_lazy("List joined"), queryset=selectors.lists_all()
    )
    consent_text_es = forms.CharField(
        label=gettext_lazy("Consent text (Spanish)"), widget=forms.Textarea(attrs={"rows": 3})
    )
    consent_text_en = forms.CharField(
        label=gettext_lazy("Consent text (English)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


@require_GET
def journey_list(request):
    # The journeys are the shared list; the sign-up forms stay below it.
    return list_response(
        request,
        JOURNEYS,
        template="marketing/journey_list.html",
        context={"forms": selectors.signup_forms_all()[:500]},
    )


@require_http_methods(["GET", "POST"])
def journey_edit(request, journey_id: int | None = None):
    journey = selectors.journey_get(journey_id=journey_id) if journey_id else None
    if request.method == "POST":
        form = _styled(JourneyForm(request.POST))
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = journey_services.journey_save(
                    by=request.user,
                    journey=journey,
                    name=data["name"],
                    trigger=data["trigger"],
                    trigger_list=data["trigger_list"].pk if data["trigger_list"] else None,
                    trigger_form=data["trigger_form"].pk if data["trigger_form"] else None,
                    trigger_event=data["trigger_event"],
                    trigger_days=data["trigger_days"],
                    allow_reentry=data["allow_reentry"],
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("Journey saved."))
                return redirect("marketing:journey_detail", saved.pk)
        status = 422
    else:
        ensure_can(request.user, "marketing.send_campaigns")
        initial = {f: getattr(journey, f) for f in JourneyForm.base_fields} if journey else {}
        form, status = _styled(JourneyForm(initial=initial)), 200
    return render(
        request, "marketing/journey_edit.html", {"form": form, "journey": journey}, status=status
    )


def _detail_context(request, journey: Journey, **extra) -> dict:
    return {
        "journey": journey,
        "report": selectors.journey_report(journey=journey),
        "kinds": JourneyStep.Kind.choices,
        "templates": MessageTemplate.objects.all(),
        "segments": selectors.segments_all(),
        "lists": selectors.lists_all(),
        "branch_tests": [(k, str(v)) for k, v in journey_services.BRANCH_TESTS.items()],
        **extra,
    }


@require_GET
def journey_detail(request, journey_id: int):
    journey = selectors.journey_get(journey_id=journey_id)
    page = selectors.enrolment_page(
        user=request.user, journey=journey, cursor=request.GET.get("cursor", "")
    )
    context = _detail_context(request, journey, enrolments=page.items, next_cursor=page.next_cursor)
    return render(request, "marketing/journey_detail.html", context)


def _steps_answer(request, journey: Journey, error: DomainError | None = None):
    if request.htmx:
        context = _detail_context(request, selectors.journey_get(journey_id=journey.pk))
        context["error"] = error
        status = 200 if error is None else error.status_code
        return render(request, "marketing/_journey_steps.html", context, status=status)
    if error is not None:
        raise error
    return redirect("marketing:journey_detail", journey.pk)


def _step(journey: Journey, raw: str) -> JourneyStep:
    step = journey.steps.filter(pk=int(raw)).first() if raw.isdigit() else None
    if step is None:
        raise NotFound(_("There is no such step in this journey."))
    return step


@require_POST
def journey_step_add(request, journey_id: int):
    journey = selectors.journey_get(journey_id=journey_id)
    kind = request.POST.get("kind", "")
    keys = {
        "wait": ["days"],
        "send": ["template"],
        "condition": ["segment", "negate"],
        "add_to_list": ["list"],
        "task": ["subject", "in_days"],
        "alert": ["title"],
        "branch": ["test", "days"],
    }
    config = {k: request.POST.get(k, "") for k in keys.get(kind, [])}
    if kind == "alert":
        config["title"] = request.POST.get("subject", "")
    # "where": the main road (empty) or a branch's path ("<step id>:yes").
    parent, _sep, path = request.POST.get("where", "").partition(":")
    try:
        journey_services.step_add(
            by=request.user,
            journey=journey,
            kind=kind,
            config=config,
            parent=int(parent) if parent.isdigit() else None,
            path=path,
        )
    except DomainError as exc:
        return _steps_answer(request, journey, exc)
    return _steps_answer(request, journey)


@require_POST
def journey_step_remove(request, journey_id: int, step_id: int):
    journey = selectors.journey_get(journey_id=journey_id)
    journey_services.step_remove(by=request.user, step=_step(journey, str(step_id)))
    return _steps_answer(request, journey)


@require_POST
def journey_step_move(request, journey_id: int, step_id: int):
    journey = selectors.journey_get(journey_id=journey_id)
    offset = -1 if request.POST.get("direction") == "up" else 1
    try:
        journey_services.step_move(
            by=request.user, step=_step(journey, str(step_id)), offset=offset
        )
    except DomainError as exc:
        return _steps_answer(request, journey, exc)
    return _steps_answer(request, journey)


@require_POST
def journey_status(request, journey_id: int):
    journey = selectors.journey_get(journey_id=journey_id)
    journey_services.journey_set_status(
        by=request.user, journey=journey, status=request.POST.get("status", "")
    )
    messages.success(request, _("Journey updated."))
    return redirect("marketing:journey_detail", journey.pk)


@require_http_methods(["GET", "POST"])
def signup_form_new(request):
    if request.method == "POST":
        form = _styled(SignupFormForm(request.POST))
        if form.is_valid():
            try:
                signup_services.signup_form_save(by=request.user, **form.cleaned_data)
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("Sign-up form saved."))
                return redirect("marketing:journey_list")
        status = 422
    else:
        ensure_can(request.user, "marketing.build_segments")
        form, status = _styled(SignupFormForm()), 200
    return render(request, "marketing/signup_form_edit.html", {"form": form}, status=status)
