"""The agenda's pages: one day of a rep's agenda (with the work it proposes) or his
week, an item with its scripts and the inline "log outcome" and "plan follow-up"
forms (HTMX), a new item, one item as ``.ics``, and the private calendar feed (the
only page here served without signing in: its token is the credential)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panorama.core.exceptions import DomainError, NotFound
from panorama.core.lists import list_response

from .. import agenda
from ..forms.agenda import ActivityForm, FollowUpForm, OutcomeForm
from ..ical import calendar_of
from ..lists.agenda import ACTIVITIES
from ..models import Activity, CalendarFeed
from ..scripts import scripts_for
from ..selectors.quotes import quote_get, quotes_of
from ..services.activity import (
    activity_cancel,
    activity_complete,
    activity_plan,
    calendar_feed_issue,
    calendar_feed_owner,
    calendar_feed_revoke,
)


def _day(value: str) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        day = timezone.localdate()
    if not 1900 <= day.year <= 9000:
        day = timezone.localdate()
    return day


def _id(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 18 else None


def _owner(request):
    raw = request.GET.get("owner", "")
    return agenda.agenda_user_get(
        user=request.user, user_id=int(raw) if raw.isdigit() and len(raw) < 18 else None
    )


def _follow_up_form(activity: Activity) -> FollowUpForm:
    when = max(timezone.localtime(activity.starts_at), timezone.localtime()) + datetime.timedelta(
        days=2
    )
    return FollowUpForm(
        prefix=f"fu{activity.pk}",
        initial={
            "kind": Activity.Kind.CALL,
            "subject": _("Follow-up: %(subject)s") % {"subject": activity.subject},
            "day": when.date(),
            "time": when.time().replace(second=0, microsecond=0),
        },
    )


def _item_context(activity: Activity, **forms) -> dict:
    return {
        "activity": activity,
        "outcome_form": forms.get("outcome_form") or OutcomeForm(prefix=f"o{activity.pk}"),
        "follow_up_form": forms.get("follow_up_form") or _follow_up_form(activity),
        "planned": forms.get("planned"),
    }


@require_GET
def agenda_page(request):
    """``?day=YYYY-MM-DD`` (default today), ``?owner=<user id>`` (a manager opens his
    reps'), ``?view=week`` for the week."""
    owner = _owner(request)
    day = _day(request.GET.get("day", ""))
    week = request.GET.get("view") == "week"
    context = {
        "owner": owner,
        "day": day,
        "today": timezone.localdate(),
        "owners": list(agenda.agenda_users(request.user)[:200]),
        "view": "week" if week else "day",
        "feed": CalendarFeed.objects.filter(user=request.user).first(),
        "feed_url": request.session.pop("agenda_feed_url", ""),
    }
    if week:
        days = agenda.week_of(day)
        context |= {
            "week": agenda.agenda_week(user=request.user, owner=owner, day=day),
            "previous": days[0] - datetime.timedelta(days=7),
            "next": days[0] + datetime.timedelta(days=7),
        }
    else:
        result = agenda.agenda_day(user=request.user, owner=owner, day=day)
        context |= {
            "agenda": result,
            "items": [_item_context(a) for a in result.activities],
            "previous": result.previous,
            "next": result.next,
        }
    return render(request, "sales/agenda/page.html", context)


def _render_item(request, activity: Activity, status: int = 200, **forms):
    activity = agenda.activity_get(user=request.user, activity_id=activity.pk)
    return render(
        request, "sales/agenda/_item.html", _item_context(activity, **forms), status=status
    )


def _back(request, activity: Activity):
    day = timezone.localtime(activity.starts_at).date().isoformat()
    url = reverse("sales:agenda") + f"?day={day}"
    if activity.owner_id != request.user.pk:
        url += f"&owner={activity.owner_id}"
    return redirect(url)


@require_GET
def activity_list(request):
    """Every item the user sees (a manager: his teams'), the shared list."""
    return list_response(request, ACTIVITIES, template="sales/agenda/list.html")


@require_GET
def activity_detail(request, activity_id: int):
    activity = agenda.activity_get(user=request.user, activity_id=activity_id)
    context = _item_context(activity) | {
        "scripts": scripts_for(activity=activity)
        if activity.kind in (Activity.Kind.CALL, Activity.Kind.VISIT, Activity.Kind.MEETING)
        else [],
    }
    return render(request, "sales/agenda/detail.html", context)


@require_POST
def activity_complete_view(request, activity_id: int):
    activity = agenda.activity_get(user=request.user, activity_id=activity_id)
    form = OutcomeForm(request.POST, prefix=f"o{activity.pk}")
    if form.is_valid():
        try:
            activity_complete(
                by=request.user, activity_id=activity.pk, outcome=form.cleaned_data["outcome"]
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            if request.htmx:
                return _render_item(request, activity)
            messages.success(request, _("Outcome logged."))
            return _back(request, activity)
    form.mark_errors()
    if request.htmx:
        return _render_item(request, activity, status=422, outcome_form=form)
    return render(
        request, "sales/agenda/detail.html", _item_context(activity, outcome_form=form), status=422
    )


@require_POST
def activity_follow_up(request, activity_id: int):
    """Plan the next item from this one: same agenda, customer, opportunity and lead."""
    activity = agenda.activity_get(user=request.user, activity_id=activity_id)
    form = FollowUpForm(request.POST, prefix=f"fu{activity.pk}")
    planned = None
    if form.is_valid():
        try:
            planned = activity_plan(
                by=request.user,
                owner=activity.owner,
                kind=form.cleaned_data["kind"],
                subject=form.cleaned_data["subject"],
                starts_at=form.starts_at(),
                customer_id=activity.customer_id,
                opportunity_id=activity.opportunity_id,
                lead_id=activity.lead_id,
                quote_id=activity.quote_id,
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            if not request.htmx:
                messages.success(request, _("Follow-up planned."))
                return _back(request, activity)
            return _render_item(request, activity, planned=planned)
    form.mark_errors()
    if request.htmx:
        return _render_item(request, activity, status=422, follow_up_form=form)
    return render(
        request,
        "sales/agenda/detail.html",
        _item_context(activity, follow_up_form=form),
        status=422,
    )


@require_POST
def activity_cancel_view(request, activity_id: int):
    activity = agenda.activity_get(user=request.user, activity_id=activity_id)
    activity_cancel(by=request.user, activity_id=activity.pk, reason=request.POST.get("reason", ""))
    if request.htmx:
        return _render_item(request, activity)
    messages.success(request, _("Cancelled."))
    return _back(request, activity)


@require_http_methods(["GET", "POST"])
def activity_new(request):
    """A new item; ``?customer=``, ``?opportunity=``, ``?lead=``, ``?quote=``, ``?day=``
    and ``?owner=`` fill the form (from the ficha, an opportunity, a lead, a quote, the
    agenda). With a customer, the form offers his quotes the user sees."""
    owners = list(agenda.agenda_users(request.user)[:200])
    source = request.POST if request.method == "POST" else request.GET
    customer_id = _id(source.get("customer", ""))
    quote_id = _id(source.get("quote", ""))
    if customer_id is None and quote_id is not None:
        try:
            customer_id = quote_get(user=request.user, quote_id=quote_id).customer_id
        except NotFound:
            quote_id = None
    quotes = quotes_of(user=request.user, customer_id=customer_id, limit=50) if customer_id else []
    if request.method == "POST":
        form = ActivityForm(request.POST, owners=owners, quotes=quotes)
        if form.is_valid():
            try:
                activity = activity_plan(by=request.user, **form.values())
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("Planned."))
                return _back(request, activity)
    else:
        now = timezone.localtime() + datetime.timedelta(hours=1)
        day = _day(request.GET.get("day", ""))
        initial = {
            "kind": request.GET.get("kind", Activity.Kind.CALL),
            "day": day,
            "time": now.time().replace(minute=0, second=0, microsecond=0),
            "duration_minutes": 30,
            "reminder_minutes": 15,
            "owner": _owner(request).pk,
        }
        for name in ("opportunity", "lead"):
            if (value := _id(request.GET.get(name, ""))) is not None:
                initial[name] = value
        initial["customer"], initial["quote"] = customer_id, quote_id
        form = ActivityForm(initial=initial, owners=owners, quotes=quotes)
    form.mark_errors()
    return render(
        request, "sales/agenda/new.html", {"form": form}, status=422 if form.errors else 200
    )


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def activity_ics(request, activity_id: int):
    activity = agenda.activity_get(user=request.user, activity_id=activity_id)
    return _ics(calendar_of([activity]), f"activity-{activity.pk}.ics")


@require_POST
def feed_issue(request):
    """A new private address (the old one stops working), shown once on the agenda."""
    token = calendar_feed_issue(by=request.user)
    request.session["agenda_feed_url"] = request.build_absolute_uri(
        reverse("sales:agenda_feed", args=[token])
    )
    messages.success(request, _("Your new calendar address is below: copy it now."))
    return redirect("sales:agenda")


@require_POST
def feed_revoke(request):
    calendar_feed_revoke(by=request.user)
    messages.success(request, _("Your calendar address no longer works."))
    return redirect("sales:agenda")


@login_not_required  # the token in the address is the credential (hashed, revocable)
@require_GET
def agenda_feed(request, token: str):
    try:
        owner = calendar_feed_owner(token=token)
    except NotFound:
        raise Http404 from None
    name = _("Panorama agenda of %(name)s") % {"name": owner.get_full_name() or owner.username}
    response = _ics(calendar_of(agenda.feed_activities(owner=owner), name=name), "agenda.ics")
    response["Content-Disposition"] = 'inline; filename="agenda.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
