"""The quote page's editing forms: its terms, a line added (with the option picker),
changed in place or removed. Each posts to one service and hands its refusal to
``_refused``: the page drawn again with the message on the field (422), or a message
on the quote's page when the quote is no longer open to changes."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from panorama.accounts import permissions
from panorama.core.exceptions import Conflict, DomainError, NotFound, PermissionDenied
from panorama.core.templatetags.formatting import number

from ...forms.quotes import QuoteLineEditForm, QuoteTermsForm
from ...selectors.quotes import quote_get
from ...services import quote as service
from .pages import _line_form, _page, _picker


def _refused(request, quote_id: int, error: DomainError, form=None) -> HttpResponse | None:
    """What a service's refusal becomes on the quote's page, the same for every form.

    A quote or line out of reach or a right the user lacks goes on to the middleware
    (the 404 or 403 page); a quote no longer open to changes (409) is a message on its
    page, as its forms are no longer drawn there; any other refusal is put on the form's
    field and ``None`` tells the view to draw the page again (422). Without a form the
    refusal is a message too."""
    if isinstance(error, NotFound | PermissionDenied):
        raise error
    if form is None or isinstance(error, Conflict):
        messages.error(request, str(error.message))
        return redirect("sales:quote_detail", quote_id)
    form.add_domain_error(error)
    return None


@require_POST
def quote_line_add(request, quote_id: int):
    """Add a configured line; a refusal shows the page again with the message on the
    field (422)."""
    quote = quote_get(user=request.user, quote_id=quote_id)
    form = _line_form(quote, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            service.quote_line_add(
                by=request.user,
                quote_id=quote.pk,
                line=service.LineData(
                    product_id=data["product"].pk,
                    quantity=data["quantity"],
                    options=form.option_codes(),
                    manual_discount_percent=data["manual_discount_percent"] or 0,
                ),
            )
        except DomainError as exc:
            if refused := _refused(request, quote.pk, exc, form):
                return refused
        else:
            messages.success(request, _("Line added."))
            return redirect("sales:quote_detail", quote.pk)
    return _page(request, quote.pk, status=422, line_form=form)


@require_POST
def quote_terms(request, quote_id: int):
    """Change the quote's terms; its lines are priced again. A refusal shows the page
    again with the message on the field (422)."""
    quote = quote_get(user=request.user, quote_id=quote_id)
    permissions.ensure_can(request.user, "sales.edit")
    form = QuoteTermsForm(request.POST, quote=quote)
    if form.is_valid():
        data = form.cleaned_data
        plan = data["financing_plan"]
        try:
            service.quote_update(
                by=request.user,
                quote_id=quote.pk,
                currency=data["currency"],
                price_list=data["price_list"],
                coupon=data["coupon"],
                # The plan kept as it is, even archived; another one must be offered.
                financing_plan_id=plan.pk if plan and plan.pk != quote.financing_plan_id else None,
                clear_financing=plan is None,
                valid_until=data["valid_until"],
                language=data["language"],
            )
        except DomainError as exc:
            if refused := _refused(request, quote.pk, exc, form):
                return refused
        else:
            messages.success(request, _("Terms changed: the lines were priced again."))
            return redirect("sales:quote_detail", quote.pk)
    form.mark_errors()
    return _page(request, quote.pk, status=422, terms_form=form)


@require_POST
def quote_line_update(request, quote_id: int, line_id: int):
    """Change a line's quantity, manual discount and options in place (the service the
    API's PATCH calls). A refusal shows the page again with the message on the line's
    field (422), a configuration the catalogue refuses with each of its sentences; a
    discount above the threshold is saved and the page says a manager must approve it."""
    quote = quote_get(user=request.user, quote_id=quote_id)
    permissions.ensure_can(request.user, "sales.edit")
    line = quote.lines.filter(pk=line_id).first()
    if line is None:
        raise NotFound(_("Line %(id)s is not a line of this quote.") % {"id": line_id})
    form = QuoteLineEditForm(request.POST, line=line)
    if form.is_valid():
        data = form.cleaned_data
        try:
            service.quote_line_update(
                by=request.user,
                quote_id=quote.pk,
                line_id=line.pk,
                quantity=data["quantity"],
                manual_discount_percent=data["manual_discount_percent"] or 0,
                options=form.option_codes(),
            )
        except DomainError as exc:
            if refused := _refused(request, quote.pk, exc, form):
                return refused
        else:
            messages.success(request, _("Line changed: the quote was priced again."))
            quote = quote_get(user=request.user, quote_id=quote.pk)
            if service.needs_approval(quote):
                messages.warning(
                    request,
                    _(
                        "A manual discount of %(d)s %% is above %(t)s %%: request a manager's "
                        "approval before sending the quote."
                    )
                    % {
                        "d": number(quote.max_manual_discount),
                        "t": number(service.quote_threshold(quote)),
                    },
                )
            return redirect("sales:quote_detail", quote.pk)
    form.mark_errors()
    return _page(request, quote.pk, status=422, line_edit=form)


@require_GET
def quote_line_check(request, quote_id: int, line_id: int):
    """A line's "Change" form asks at each change (HTMX), without saving: the service
    the save runs prices the change (``quote_line_preview``: the same checks, the same
    configurator), and the answer is the price or the refusal's messages. Always 200,
    so HTMX draws a refusal too."""
    quote = quote_get(user=request.user, quote_id=quote_id)
    line = quote.lines.filter(pk=line_id).first()
    if line is None:
        raise NotFound(_("Line %(id)s is not a line of this quote.") % {"id": line_id})
    form = QuoteLineEditForm(request.GET, line=line)
    preview = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            preview = service.quote_line_preview(
                by=request.user,
                quote_id=quote.pk,
                line_id=line.pk,
                quantity=data["quantity"],
                manual_discount_percent=data["manual_discount_percent"] or 0,
                options=form.option_codes(),
            )
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:
            form.add_domain_error(exc)
    errors = [str(error) for errors in form.errors.values() for error in errors]
    context = {"line": line, "preview": preview, "errors": errors}
    return render(request, "sales/quotes/_line_check.html", context)


@require_GET
def quote_line_options(request, quote_id: int):
    """The option picker for the product chosen on the line form (HTMX): drawn when a
    product is chosen, checked again at each tick (``checked``)."""
    quote = quote_get(user=request.user, quote_id=quote_id)
    raw = request.GET.get("product", "")
    chosen = [code for code in request.GET.getlist("options") if code]
    context = _picker(
        quote, int(raw) if raw.isdigit() else None, chosen, checked="checked" in request.GET
    )
    return render(request, "sales/quotes/_option_picker.html", context)


@require_POST
def quote_line_remove(request, quote_id: int, line_id: int):
    try:
        service.quote_line_remove(by=request.user, quote_id=quote_id, line_id=line_id)
    except DomainError as exc:
        return _refused(request, quote_id, exc)
    messages.success(request, _("Line removed."))
    return redirect("sales:quote_detail", quote_id)
