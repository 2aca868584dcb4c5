"""Fax pages: receive one (upload), fax a customer, a fax with its preview, and open a
case from it. The document and the preview are served after the record check."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panorama.accounts.permissions import can, ensure_can
from panorama.core.exceptions import DomainError
from panorama.customers.selectors import customer_get

from . import services
from .forms import FaxCaseForm, FaxSendForm, FaxUploadForm


def _content(upload) -> bytes:
    limit = services.max_fax_bytes()
    return b"x" * (limit + 1) if upload.size > limit else upload.read()


@require_http_methods(["GET", "POST"])
def fax_upload(request):
    ensure_can(request.user, "channels.record")
    status = 200
    if request.method == "POST":
        form = FaxUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                fax = services.fax_receive(
                    by=request.user,
                    number=form.cleaned_data["number"],
                    content=_content(form.cleaned_data["document"]),
                    note=form.cleaned_data["note"],
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("Fax from %(number)s stored.") % {"number": fax.number})
                return redirect("channels:fax_detail", fax.pk)
        status = 422
    else:
        form = FaxUploadForm()
    return render(request, "channels/fax/upload.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def fax_send(request, customer_id: int):
    customer = customer_get(user=request.user, customer_id=customer_id)
    ensure_can(request.user, "channels.send")
    status = 200
    if request.method == "POST":
        form = FaxSendForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.fax_send(
                    by=request.user,
                    customer_id=customer.pk,
                    number=form.cleaned_data["number"],
                    content=_content(form.cleaned_data["document"]),
                    cover=form.cleaned_data["cover"],
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("Fax sent to the gateway."))
                return redirect("customers:detail", customer.pk)
        status = 422
    else:
        form = FaxSendForm()
    return render(
        request, "channels/fax/send.html", {"customer": customer, "form": form}, status=status
    )


@require_GET
def fax_detail(request, fax_id: int):
    fax = services.fax_get(user=request.user, fax_id=fax_id)
    return render(
        request,
        "channels/fax/detail.html",
        {
            "fax": fax,
            "case_form": FaxCaseForm(),
            "may_open_case": fax.customer_id
            and not fax.case_id
            and can(request.user, "service.edit"),
        },
    )


@require_GET
def fax_document(request, fax_id: int):
    fax = services.fax_get(user=request.user, fax_id=fax_id)
    extension = "pdf" if fax.content_type == "application/pdf" else "tif"
    return FileResponse(
        fax.document.open("rb"),
        content_type=fax.content_type,
        filename=f"fax-{fax.pk}.{extension}",
    )


@require_GET
def fax_preview(request, fax_id: int):
    fax = services.fax_get(user=request.user, fax_id=fax_id)
    if not fax.preview:
        raise Http404(_("This fax has no preview."))
    return FileResponse(fax.preview.open("rb"), content_type="image/png")


@require_POST
def fax_open_case(request, fax_id: int):
    form = FaxCaseForm(request.POST)
    form.is_valid()
    fax = services.fax_open_case(
        by=request.user, fax_id=fax_id, subject=form.cleaned_data.get("subject", "")
    )
    reference = fax.case.reference if fax.case else ""
    messages.success(request, _("Case %(ref)s opened.") % {"ref": reference})
    return redirect("channels:fax_detail", fax.pk)
