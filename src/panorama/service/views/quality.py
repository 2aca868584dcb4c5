"""Defect tracking (quality) pages, the defect report and the service reports."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panorama.accounts import permissions
from panorama.core.exceptions import DomainError, ValidationFailed
from panorama.core.lists import list_response

from .. import selectors
from ..forms import DefectAssetForm, DefectCaseForm, DefectForm, ReportPeriodForm
from ..lists import DEFECTS
from ..models import Defect
from ..selectors import defects as defect_selectors
from ..selectors.reports import service_report
from ..services import defect as services

STATUS_ACTIONS = {
    Defect.Status.CONFIRMED: gettext_lazy("Confirm"),
    Defect.Status.FIXED: gettext_lazy("Mark fixed"),
    Defect.Status.CLOSED: gettext_lazy("Close"),
    Defect.Status.REJECTED: gettext_lazy("Not a defect"),
}


@require_GET
def defect_list(request):
    return list_response(request, DEFECTS, template="service/defects/list.html")


def _render_detail(request, defect_id: int, status: int = 200, **extra):
    defect = defect_selectors.defect_get(defect_id=defect_id)
    cases, hidden = defect_selectors.defect_cases(user=request.user, defect=defect)
    assets, hidden_assets = defect_selectors.defect_assets(user=request.user, defect=defect)
    context = {
        "defect": defect,
        "cases": cases,
        "hidden_cases": hidden,
        "assets": assets,
        "hidden_assets": hidden_assets,
        "asset_form": extra.pop("asset_form", None) or DefectAssetForm(),
        "can_edit": permissions.can(request.user, "service.edit"),
        "can_move": permissions.can(request.user, "service.quality"),
        "status_actions": [
            (s, str(STATUS_ACTIONS[s]))
            for s in STATUS_ACTIONS
            if s in services.TRANSITIONS[defect.status]
        ],
        "link_form": extra.pop("link_form", None) or DefectCaseForm(),
        **extra,
    }
    return render(request, "service/defects/detail.html", context, status=status)


@require_GET
def defect_detail(request, defect_id: int):
    return _render_detail(request, defect_id)


def _form_page(request, form: DefectForm, defect: Defect | None, case=None):
    return render(
        request,
        "service/defects/form.html",
        {"form": form, "defect": defect, "case": case},
        status=422 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def defect_new(request):
    case = None
    wanted = request.POST.get("case") or request.GET.get("case") or ""
    if wanted.isdigit():
        case = selectors.case_get(user=request.user, case_id=int(wanted))
    initial = {"product": case.product_id} if case else {}
    form = DefectForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            defect = services.defect_report(
                by=request.user,
                data=services.DefectData(
                    product_id=data["product"].pk,
                    title=data["title"],
                    description=data["description"],
                    version=data["version"],
                    component=data["component"],
                    severity=data["severity"],
                    found_on=data["found_on"],
                ),
                case_id=case.pk if case else None,
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Defect %(ref)s recorded.") % {"ref": defect.reference})
            return redirect("service:defect_detail", defect.pk)
    return _form_page(request, form, None, case)


@require_http_methods(["GET", "POST"])
def defect_edit(request, defect_id: int):
    defect = defect_selectors.defect_get(defect_id=defect_id)
    form = DefectForm(
        request.POST if request.method == "POST" else None,
        initial={
            "product": defect.product_id,
            "title": defect.title,
            "version": defect.version,
            "component": defect.component,
            "severity": defect.severity,
            "found_on": defect.found_on,
            "description": defect.description,
        },
    )
    form.fields["product"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.defect_update(
                by=request.user,
                defect_id=defect.pk,
                title=data["title"],
                version=data["version"],
                component=data["component"],
                severity=data["severity"],
                found_on=data["found_on"],
                description=data["description"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Defect saved."))
            return redirect("service:defect_detail", defect.pk)
    return _form_page(request, form, defect)


@require_POST
def defect_status(request, defect_id: int):
    try:
        defect = services.defect_set_status(
            by=request.user,
            defect_id=defect_id,
            status=request.POST.get("status", ""),
            fixed_in=request.POST.get("fixed_in", ""),
        )
    except DomainError as exc:
        return _render_detail(request, defect_id, exc.status_code, action_error=exc.message)
    messages.success(
        request,
        _("Defect %(ref)s is now %(status)s.")
        % {"ref": defect.reference, "status": defect.get_status_display().lower()},
    )
    return redirect("service:defect_detail", defect_id)


@require_POST
def defect_link(request, defect_id: int):
    form = DefectCaseForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, defect_id, 422, link_form=form)
    try:
        services.defect_link_case(
            by=request.user, defect_id=defect_id, case_id=form.cleaned_data["case"]
        )
    except DomainError as exc:
        form.add_domain_error(exc)
        return _render_detail(request, defect_id, exc.status_code, link_form=form)
    messages.success(request, _("Case linked."))
    return redirect("service:defect_detail", defect_id)


@require_POST
def defect_unlink(request, defect_id: int, case_id: int):
    try:
        services.defect_unlink_case(by=request.user, defect_id=defect_id, case_id=case_id)
    except DomainError as exc:
        return _render_detail(request, defect_id, exc.status_code, action_error=exc.message)
    messages.success(request, _("Case unlinked."))
    return redirect("service:defect_detail", defect_id)


@require_POST
def defect_asset_link(request, defect_id: int):
    form = DefectAssetForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, defect_id, 422, asset_form=form)
    try:
        services.defect_link_asset(
            by=request.user,
            defect_id=defect_id,
            serial_number=form.cleaned_data["serial_number"],
        )
    except DomainError as exc:
        form.add_domain_error(exc)
        return _render_detail(request, defect_id, exc.status_code, asset_form=form)
    messages.success(request, _("Asset linked."))
    return redirect("service:defect_detail", defect_id)


@require_POST
def defect_asset_unlink(request, defect_id: int, asset_id: int):
    try:
        services.defect_unlink_asset(by=request.user, defect_id=defect_id, asset_id=asset_id)
    except DomainError as exc:
        return _render_detail(request, defect_id, exc.status_code, action_error=exc.message)
    messages.success(request, _("Asset unlinked."))
    return redirect("service:defect_detail", defect_id)


@require_POST
def asset_defect_link(request, asset_id: int):
    """From the asset's page: the asset is affected by one of its product's defects."""
    wanted = request.POST.get("defect", "")
    try:
        if not wanted.isdigit():
            raise ValidationFailed(_("Choose a defect."), field="defect")
        services.defect_link_asset(by=request.user, defect_id=int(wanted), asset_id=asset_id)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Defect linked."))
    return redirect("service:asset_detail", asset_id)


@require_GET
def defect_report_view(request):
    months = request.GET.get("months", "12")
    try:
        report = defect_selectors.defect_report(months=int(months) if months.isdigit() else 0)
    except DomainError as exc:
        messages.error(request, exc.message)
        report = defect_selectors.defect_report()
    return render(request, "service/defects/report.html", {"report": report})


@require_GET
def service_report_view(request):
    form = ReportPeriodForm(request.GET or None)
    report, status = None, 200
    if form.is_bound and not form.is_valid():
        status = 422
    else:
        data = form.cleaned_data if form.is_bound else {}
        try:
            report = service_report(
                user=request.user, date_from=data.get("date_from"), date_to=data.get("date_to")
            )
        except DomainError as exc:
            form.add_domain_error(exc)
            status = exc.status_code
    return render(
        request, "service/reports/service.html", {"form": form, "report": report}, status=status
    )
