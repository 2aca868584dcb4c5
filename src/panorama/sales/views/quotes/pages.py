"""Quote pages: the list (the shared list component), a new quote from the ficha or an
opportunity, the quote's page (its lines with the explanation of each price, totals,
the approval box, send / new version / PDF; its editing forms post to ``editing``),
and the public page where the customer accepts it through the signed link (no
login)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from panorama.accounts import permissions
from panorama.catalog.models import Channel, Product
from panorama.catalog.selectors.options import option_model, option_models
from panorama.catalog.services.configuration import configuration_check
from panorama.channels.models import Interaction
from panorama.core.exceptions import Conflict, DomainError, NotFound, PermissionDenied
from panorama.core.lists import (
    Column,
    Filter,
    ListDefinition,
    ListState,
    Sort,
    attr,
    chip,
    list_response,
)
from panorama.core.pagination import Keyset
from panorama.core.templatetags.formatting import money
from panorama.customers.selectors import customer_get

from ... import selectors
from ...agenda import activities_about_quote
from ...forms.quotes import (
    DecisionForm,
    QuoteLineEditForm,
    QuoteLineForm,
    QuoteNewForm,
    QuoteTermsForm,
)
from ...models import Quote
from ...pdf import quote_pdf
from ...selectors.quotes import quote_get, quotes_visible_to, version_changes, with_option_names
from ...services import quote as service

STATUS_TONES = {
    "draft": "secondary",
    "pending_approval": "warning",
    "approved": "info",
    "sent": "info",
    "accepted": "success",
    "rejected": "danger",
    "expired": "secondary",
    "declined": "danger",
}


def _owner(row: Quote) -> Any:
    owner = row.owner
    return (owner.get_full_name() or owner.username) if owner else "—"


def _total(row: Quote) -> Any:
    return money(row.total, row.currency)


class QuoteList(ListDefinition):
    name = "quotes"
    label = gettext_lazy("Quotes")
    url_name = "sales:quote_list"
    noun = ngettext_lazy("%(count)s quote", "%(count)s quotes", "n")
    search_label = gettext_lazy("Reference")
    search_placeholder = gettext_lazy("e.g. Q-000123")
    empty_title = gettext_lazy("No quotes yet")
    empty_text = gettext_lazy("Make one from a customer's page or an opportunity.")
    columns = [
        Column("reference", gettext_lazy("Reference"), value=attr("reference"), link=True),
        Column("customer", gettext_lazy("Customer"), value=attr("customer.display_name")),
        Column("status", gettext_lazy("Status"), value=chip("status", STATUS_TONES)),
        Column("total", gettext_lazy("Total"), value=_total, numeric=True),
        Column("valid_until", gettext_lazy("Valid until"), value=attr("valid_until")),
        Column("owner", gettext_lazy("Owner"), value=_owner),
        Column("version", gettext_lazy("Version"), value=attr("version"), default=False),
    ]
    filters = [
        Filter("status", gettext_lazy("Status"), choices=Quote.Status.choices),
        Filter("mine", gettext_lazy("Owner"), choices=[("on", gettext_lazy("Only mine"))]),
    ]
    sorts = [Sort("newest", gettext_lazy("Newest first"), Keyset("-id", types=(int,)))]
    default_sort = "newest"

    def filtered(self, user, state: ListState) -> QuerySet:
        qs = quotes_visible_to(user).select_related("customer", "owner")
        if state.search:
            qs = qs.filter(reference__icontains=state.search.strip())
        status = state.filters.get("status", "")
        if status in Quote.Status.values:
            qs = qs.filter(status=status)
        if state.filters.get("mine"):
            qs = qs.filter(owner=user)
        return qs

    def row_url(self, row: Quote) -> str:
        return reverse("sales:quote_detail", args=[row.pk])


QUOTES = QuoteList()


def _site(request) -> str:
    """This site's address, for the links the e-mails carry."""
    return request.build_absolute_uri("/")


@require_GET
def quote_list(request):
    return list_response(request, QUOTES, template="sales/quotes/list.html")


def _line_form(quote: Quote, data=None) -> QuoteLineForm:
    return QuoteLineForm(data, options_url=reverse("sales:quote_line_options", args=[quote.pk]))


def _picker(
    quote: Quote, product_id: int | None, chosen: list[str], *, checked: bool
) -> dict[str, Any]:
    """The option picker of a quote line: the product's options as the catalogue's option
    model lays them out, and what its configurator (the check pricing runs) says of the
    options ticked: the problems, what comes included, the unit price before discounts."""
    product = Product.objects.filter(pk=product_id, active=True).first() if product_id else None
    context: dict[str, Any] = {"quote": quote, "picker_product": product, "checked": checked}
    if product is None:
        return context
    model = option_model(product.pk)
    configuration = configuration_check(product=product, options=chosen, model=model)
    context.update(
        {
            "product": product,
            "sections": model.sections(),
            "chosen": set(chosen),
            "configuration": configuration,
            "unit_price": product.list_price + configuration.options_price,
        }
    )
    return context


def _detail_context(
    request,
    quote: Quote,
    line_form: QuoteLineForm | None = None,
    decision_form=None,
    terms_form: QuoteTermsForm | None = None,
    line_edit: QuoteLineEditForm | None = None,
) -> dict:
    timeline = (
        Interaction.objects.filter(
            related_type=ContentType.objects.get_for_model(Quote), related_id=quote.pk
        )
        .select_related("agent")
        .order_by("-occurred_at", "-id")[:50]
    )
    needs = service.needs_approval(quote)
    newer = quote.next_versions.order_by("-id").first()
    line_form = line_form or _line_form(quote)
    product_id, chosen = line_form.picked()
    lines = with_option_names(list(quote.lines.all()))
    if quote.is_editable:  # each line's own form to change it in place, its options too
        ids = {line.product_id for line in lines}
        models, products = option_models(ids), Product.objects.in_bulk(ids)
        for line in lines:
            refused = line_edit is not None and line_edit.prefix == f"line-{line.pk}"
            line.edit_form = line_edit if refused else QuoteLineEditForm(line=line)
            line.option_sections = models[line.product_id].sections()
            line.product_of_options = products.get(line.product_id)
    return {
        **_picker(quote, product_id, chosen, checked=line_form.is_bound),
        "quote": quote,
        "lines": lines,
        "line_form": line_form,
        "terms_form": terms_form or QuoteTermsForm(quote=quote),
        "decision_form": decision_form or DecisionForm(),
        "needs_approval": needs,
        "threshold": service.quote_threshold(quote),
        "may_send": quote.status in ("draft", "approved", "sent")
        and (not needs or quote.approved_by_id is not None),
        "timeline": timeline,
        "agenda_items": activities_about_quote(user=request.user, quote=quote),
        "newer": newer,
        "changes": version_changes(quote),
        "channel_label": dict(Channel.choices).get(quote.channel, quote.channel),
        "order": getattr(quote, "order", None) if quote.status == "accepted" else None,
    }


def _page(request, quote_id: int, status: int = 200, **forms) -> HttpResponse:
    quote = quote_get(user=request.user, quote_id=quote_id)
    return render(
        request, "sales/quotes/detail.html", _detail_context(request, quote, **forms), status=status
    )


@require_GET
def quote_detail(request, quote_id: int):
    return _page(request, quote_id)


@require_http_methods(["GET", "POST"])
def quote_new(request, customer_id: int):
    """A new quote for a customer (from the ficha, or an opportunity's page with
    ``?opportunity=ID``)."""
    customer = customer_get(user=request.user, customer_id=customer_id)
    permissions.ensure_can(request.user, "sales.edit")
    raw = request.GET.get("opportunity") or request.POST.get("opportunity") or ""
    opportunity = None
    if raw.isdigit():
        opportunity = selectors.opportunity_get(user=request.user, opportunity_id=int(raw))
    if request.method == "POST":
        form = QuoteNewForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                quote = service.quote_create(
                    by=request.user,
                    customer_id=customer.pk,
                    opportunity_id=opportunity.pk if opportunity else None,
                    currency=data["currency"],
                    channel=data["channel"] or Channel.DIRECT,
                    price_list=data["price_list"],
                    coupon=data["coupon"],
                    financing_plan_id=data["financing_plan"].pk if data["financing_plan"] else None,
                    valid_until=data["valid_until"],
                    language=data["language"],
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("Quote %(ref)s created.") % {"ref": quote.reference})
                return redirect("sales:quote_detail", quote.pk)
    else:
        form = QuoteNewForm()
    return render(
        request,
        "sales/quotes/new.html",
        {"form": form, "customer": customer, "opportunity": opportunity},
        status=422 if form.errors else 200,
    )


def _action(request, quote_id: int, call, done: str):
    """Run one action of the quote's page; its refusal comes back as a message."""
    try:
        call()
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, done)
    return redirect("sales:quote_detail", quote_id)


@require_POST
def quote_request_approval(request, quote_id: int):
    comment = request.POST.get("comment", "")
    return _action(
        request,
        quote_id,
        lambda: service.quote_request_approval(by=request.user, quote_id=quote_id, comment=comment),
        _("Approval requested: the managers were told by e-mail."),
    )


@require_POST
def quote_decide(request, quote_id: int):
    approve = request.POST.get("decision") == "approve"
    form = DecisionForm(request.POST)
    form.is_valid()
    comment = form.cleaned_data.get("comment", "")
    call = service.quote_approve if approve else service.quote_reject
    try:
        call(by=request.user, quote_id=quote_id, comment=comment, base_url=_site(request))
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        if exc.field == "comment":
            form.add_domain_error(exc)
            return _page(request, quote_id, status=422, decision_form=form)
        messages.error(request, str(exc.message))
        return redirect("sales:quote_detail", quote_id)
    messages.success(request, _("Discount approved.") if approve else _("Discount rejected."))
    return redirect("sales:quote_detail", quote_id)


@require_POST
def quote_send(request, quote_id: int):
    return _action(
        request,
        quote_id,
        lambda: service.quote_send(by=request.user, quote_id=quote_id, base_url=_site(request)),
        _("Quote sent to the customer by e-mail."),
    )


@require_POST
def quote_version(request, quote_id: int):
    try:
        new = service.quote_new_version(by=request.user, quote_id=quote_id)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("sales:quote_detail", quote_id)
    messages.success(request, _("New version %(ref)s.") % {"ref": new.reference})
    return redirect("sales:quote_detail", new.pk)


@require_GET
def quote_pdf_download(request, quote_id: int):
    quote = quote_get(user=request.user, quote_id=quote_id)
    response = HttpResponse(quote_pdf(quote), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{quote.reference}.pdf"'
    return response


@login_not_required
@require_http_methods(["GET", "POST"])
def quote_accept(request, token: str):
    """The customer's page: the quote as sent, a button to accept it and one to decline
    it (``decision=decline``, with his reason). A forged link is a 404, an expired one a
    410, a link used twice a 409 — nothing written."""
    from django.utils import translation

    try:
        quote = service.quote_from_token(token)
    except NotFound:
        raise
    except DomainError as exc:
        return render(request, "sales/quotes/accept.html", {"error": exc.message}, status=410)
    translation.activate(quote.language or translation.get_language())
    lines = with_option_names(list(quote.lines.all()))
    context: dict[str, Any] = {"quote": quote, "lines": lines, "token": token}
    if request.method == "POST":
        decline = request.POST.get("decision") == "decline"
        try:
            if decline:
                service.quote_decline(token=token, reason=request.POST.get("reason", ""))
            else:
                service.quote_accept(token=token)
        except NotFound:
            raise
        except DomainError as exc:
            status = 409 if isinstance(exc, Conflict) else 410
            context["error"] = exc.message
            return render(request, "sales/quotes/accept.html", context, status=status)
        context["declined" if decline else "accepted"] = True
        quote.status = Quote.Status.DECLINED if decline else Quote.Status.ACCEPTED
    elif quote.status == Quote.Status.ACCEPTED:
        context["already"] = True
    elif quote.status == Quote.Status.DECLINED:
        context["was_declined"] = True
    return render(request, "sales/quotes/accept.html", context)
