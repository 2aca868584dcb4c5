"""Work order pages: the list, a new order (from a case, an asset or a customer), the order's
page (dispatch, start, parts used, the customer's signature, completion) that the
technician uses on his phone, the signature image, and the technician's day."""

from django.contrib import messages
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panorama.accounts import permissions
from panorama.core.exceptions import DomainError, PermissionDenied, ValidationFailed
from panorama.core.lists import list_response
from panorama.customers.selectors import customer_get

from .. import selectors as case_selectors
from ..forms import WorkOrderForm
from ..lists.field import WORK_ORDERS
from ..models import StockLevel, WorkOrder
from ..selectors import field as selectors
from ..services import parts as part_services
from ..services import workorder as services


def _int(value, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationFailed(_("Give a number."), field=field) from None


@require_GET
def work_order_list(request):
    """The work orders the user may see, through the shared list (filters in the URL)."""
    return list_response(request, WORK_ORDERS, template="service/field/workorder_list.html")


@require_http_methods(["GET", "POST"])
def work_order_new(request):
    """From ``?case=``, ``?asset=`` or ``?customer=``."""
    case = asset = None
    if (request.GET.get("case") or "").isdigit():
        case = case_selectors.case_get(user=request.user, case_id=int(request.GET["case"]))
        customer = case.customer
    elif (request.GET.get("asset") or "").isdigit():
        asset = selectors.asset_get(user=request.user, asset_id=int(request.GET["asset"]))
        customer = asset.customer
    elif (request.GET.get("customer") or "").isdigit():
        customer = customer_get(user=request.user, customer_id=int(request.GET["customer"]))
    else:
        raise Http404(_("Open a work order from a case, an asset or a customer."))
    permissions.ensure_can(request.user, "service.edit")
    initial = {
        "subject": case.subject if case else "",
        "asset": (asset.pk if asset else (case.asset_id if case else None)),
        "skill": case.skill if case else "",
    }
    form = WorkOrderForm(
        request.POST if request.method == "POST" else None, customer=customer, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = services.work_order_create(
                by=request.user,
                customer_id=customer.pk,
                case_id=case.pk if case else None,
                asset_id=data["asset"].pk if data["asset"] else None,
                subject=data["subject"],
                description=data["description"],
                skill=data["skill"],
                duration_minutes=data["duration_minutes"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Work order %(ref)s created.") % {"ref": order.reference})
            return redirect("service:work_order_detail", order.pk)
    return render(
        request,
        "service/field/workorder_form.html",
        {"form": form, "customer": customer, "case": case, "asset": asset},
        status=422 if form.errors else 200,
    )


def _detail_context(request, order: WorkOrder) -> dict:
    user = request.user
    van = selectors.van_of(order.technician) if order.technician else None
    return {
        "order": order,
        "coverage": selectors.asset_coverage(order.asset) if order.asset else None,
        "parts_used": list(order.part_moves.select_related("part", "from_location")),
        "van_stock": (
            list(
                StockLevel.objects.filter(location=van, quantity__gt=0, part__active=True)
                .select_related("part")
                .order_by("part__name")
            )
            if van
            else []
        ),
        "van": van,
        "can_dispatch": permissions.can(user, "service.dispatch"),
        "can_work": permissions.can(user, "service.field_work"),
        "technicians": selectors.technicians_for(user)
        if permissions.can(user, "service.dispatch")
        else [],
        "working": order.status in (WorkOrder.Status.SCHEDULED, WorkOrder.Status.IN_PROGRESS),
    }


def _render_detail(
    request, work_order_id: int, status: int = 200, error: str = "", field: str = ""
):
    order = selectors.work_order_get(user=request.user, work_order_id=work_order_id)
    context = _detail_context(request, order)
    context.update(action_error=error, error_field=field, posted=request.POST)
    return render(request, "service/field/workorder_detail.html", context, status=status)


@require_GET
def work_order_detail(request, work_order_id: int):
    return _render_detail(request, work_order_id)


def _done(request, work_order_id: int, message: str):
    messages.success(request, message)
    return redirect("service:work_order_detail", work_order_id)


@require_POST
def work_order_dispatch_view(request, work_order_id: int):
    try:
        raw = request.POST.get("technician", "")
        when = request.POST.get("scheduled_start", "")
        start = parse_datetime(when) if when else None
        if when and start is None:
            raise ValidationFailed(_("Give a date and time."), field="scheduled_start")
        if start is not None and timezone.is_naive(start):
            start = timezone.make_aware(start)
        services.work_order_dispatch(
            by=request.user,
            work_order_id=work_order_id,
            technician_id=_int(raw, "technician") if raw else None,
            scheduled_start=start,
        )
    except PermissionDenied:
        raise  # the 403 page, with the rule's message
    except DomainError as exc:
        return _render_detail(
            request, work_order_id, exc.status_code, str(exc.message), exc.field or ""
        )
    return _done(request, work_order_id, _("Work order dispatched."))


@require_POST
def work_order_status_view(request, work_order_id: int):
    try:
        order = services.work_order_set_status(
            by=request.user, work_order_id=work_order_id, status=request.POST.get("status", "")
        )
    except PermissionDenied:
        raise  # the 403 page, with the rule's message
    except DomainError as exc:
        return _render_detail(request, work_order_id, exc.status_code, str(exc.message))
    return _done(
        request,
        work_order_id,
        _("Work order %(ref)s is now %(status)s.")
        % {"ref": order.reference, "status": order.get_status_display().lower()},
    )


@require_POST
def work_order_part_view(request, work_order_id: int):
    try:
        move = part_services.work_order_use_part(
            by=request.user,
            work_order_id=work_order_id,
            part_id=_int(request.POST.get("part"), "part"),
            quantity=_int(request.POST.get("quantity"), "quantity"),
        )
    except PermissionDenied:
        raise  # the 403 page, with the rule's message
    except DomainError as exc:
        return _render_detail(request, work_order_id, exc.status_code, str(exc.message), "parts")
    return _done(
        request,
        work_order_id,
        _("%(n)s × %(part)s recorded.") % {"n": move.quantity, "part": move.part.name},
    )


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@require_POST
def work_order_sign_view(request, work_order_id: int):
    """The signature: the canvas's PNG (fetch, JSON answer) or a photo chosen in the
    file input (a plain form). Anything but a PNG or JPEG is refused, 422."""
    upload = request.FILES.get("signature")
    try:
        if upload is None:
            raise ValidationFailed(_("The signature is empty: sign first."), field="signature")
        if upload.size > services.MAX_SIGNATURE_BYTES:
            raise ValidationFailed(
                _("The signature image is too large (2 MB at most)."), field="signature"
            )
        services.work_order_sign(
            by=request.user,
            work_order_id=work_order_id,
            content=upload.read(),
            signed_by=request.POST.get("signed_by", ""),
        )
    except PermissionDenied:
        raise  # the 403 page, with the rule's message
    except DomainError as exc:
        if _wants_json(request):
            return JsonResponse(
                {"detail": str(exc.message), "field": exc.field}, status=exc.status_code
            )
        return _render_detail(
            request, work_order_id, exc.status_code, str(exc.message), "signature"
        )
    if _wants_json(request):
        messages.success(request, _("Signature saved."))
        return JsonResponse({"detail": _("Signature saved.")})
    return _done(request, work_order_id, _("Signature saved."))


@require_POST
def work_order_complete_view(request, work_order_id: int):
    try:
        minutes = request.POST.get("minutes_spent", "")
        order = services.work_order_complete(
            by=request.user,
            work_order_id=work_order_id,
            minutes_spent=_int(minutes, "minutes_spent") if minutes else 0,
            checklist_done=[_int(v, "checklist") for v in request.POST.getlist("checklist")],
            notes=request.POST.get("notes", ""),
        )
    except PermissionDenied:
        raise  # the 403 page, with the rule's message
    except DomainError as exc:
        return _render_detail(
            request, work_order_id, exc.status_code, str(exc.message), exc.field or ""
        )
    messages.success(request, _("Work order %(ref)s completed.") % {"ref": order.reference})
    return redirect("service:my_day")


@require_GET
def work_order_signature(request, work_order_id: int):
    order = selectors.work_order_get(user=request.user, work_order_id=work_order_id)
    if not order.signature:
        raise Http404(_("This work order has no signature."))
    return FileResponse(order.signature.open("rb"))


@require_GET
def my_day(request):
    """The technician's day on his phone: today's orders by time, the open ones left."""
    orders = selectors.my_day(user=request.user)
    return render(
        request,
        "service/field/my_day.html",
        {
            "orders": orders,
            "today": timezone.localdate(),
            "is_technician": hasattr(request.user, "technician"),
        },
    )
