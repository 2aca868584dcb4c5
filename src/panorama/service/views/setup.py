"""The service set-up page: queues (members and skills), business-hours calendars and SLA
policies, read by everyone signed in and changed with ``service.configure`` (service
managers, administrators) through the same services as the API: a refusal comes back
on its field, 422, and nothing is saved."""

from collections.abc import Callable

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panorama.accounts.permissions import can, ensure_can
from panorama.core.exceptions import DomainError
from panorama.customers.models import Customer

from ..models import Case
from ..selectors import setup as selectors
from ..services import setup as services
from ..services import sla
from ..setup_forms import CalendarForm, PolicyForm, QueueForm

FORMS: dict[str, type[QueueForm | CalendarForm | PolicyForm]] = {
    "queues": QueueForm,
    "calendars": CalendarForm,
    "policies": PolicyForm,
}


def _labelled(policies) -> list:
    """The policies with their priority and segment in words, for the table."""
    priorities = dict(Case.Priority.choices)
    segments = dict(Customer.Kind.choices)
    rows = list(policies)
    for policy in rows:
        policy.priority_label = priorities.get(policy.priority, policy.priority)
        policy.segment_label = segments.get(policy.segment, policy.segment)
    return rows


def _form(request, section: str, *args, **kwargs):
    """The section's form; the policies' offers the marketing segments the user sees."""
    if section == "policies":
        kwargs["user"] = request.user
    return FORMS[section](*args, **kwargs)


def _page(request, section: str = "", bound=None):
    forms = {key: _form(request, key) for key in FORMS}
    if bound is not None:
        bound.mark_errors()
        forms[section] = bound
    context = {
        "queues": selectors.queues(),
        "calendars": selectors.calendars(),
        "policies": _labelled(selectors.policies()),
        "may_configure": can(request.user, "service.configure"),
        "forms": forms,
        "section": section,
    }
    return render(
        request, "service/setup/page.html", context, status=422 if bound is not None else 200
    )


@require_GET
def setup_page(request):
    return _page(request)


def _save_queue(by, form: QueueForm, queue=None) -> None:
    changes, members = form.parsed()
    services.queue_save(by=by, queue=queue, changes=changes, members=members)


def _save_calendar(by, form: CalendarForm, calendar=None) -> None:
    changes, holidays = form.parsed()
    if calendar is None:
        sla.calendar_save(by=by, extra_holidays=holidays, **changes)
    else:
        services.calendar_update(by=by, calendar=calendar, changes=changes, extra_holidays=holidays)


def _save_policy(by, form: PolicyForm, policy=None) -> None:
    services.policy_set(by=by, policy=policy, changes=form.values())


SAVERS: dict[str, Callable] = {
    "queues": _save_queue,
    "calendars": _save_calendar,
    "policies": _save_policy,
}
SAVED = {
    "queues": lambda: _("Queue saved."),
    "calendars": lambda: _("Calendar saved."),
    "policies": lambda: _("SLA policy saved."),
}


def _add(request, section: str):
    ensure_can(request.user, "service.configure")
    form = _form(request, section, request.POST)
    if form.is_valid():
        try:
            SAVERS[section](request.user, form)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, SAVED[section]())
            return redirect(reverse("service:setup") + f"#{section}")
    return _page(request, section, form)


@require_POST
def queue_add(request):
    return _add(request, "queues")


@require_POST
def calendar_add(request):
    return _add(request, "calendars")


@require_POST
def policy_add(request):
    return _add(request, "policies")


def _edit(request, section: str, record, title: str):
    """The edit page of one queue, calendar or policy."""
    ensure_can(request.user, "service.configure")
    form_class = FORMS[section]
    form = _form(request, section, request.POST or None, initial=form_class.initial_of(record))
    if request.method == "POST" and form.is_valid():
        try:
            SAVERS[section](request.user, form, record)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, SAVED[section]())
            return redirect(reverse("service:setup") + f"#{section}")
    form.mark_errors()
    context = {"form": form, "record": record, "title": title, "section": section}
    return render(request, "service/setup/form.html", context, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def queue_edit(request, queue_id: int):
    queue = selectors.queue_get(queue_id=queue_id)
    return _edit(request, "queues", queue, _("Edit queue"))


@require_http_methods(["GET", "POST"])
def calendar_edit(request, calendar_id: int):
    calendar = selectors.calendar_get(calendar_id=calendar_id)
    return _edit(request, "calendars", calendar, _("Edit calendar"))


@require_http_methods(["GET", "POST"])
def policy_edit(request, policy_id: int):
    policy = selectors.policy_get(policy_id=policy_id)
    return _edit(request, "policies", policy, _("Edit SLA policy"))
