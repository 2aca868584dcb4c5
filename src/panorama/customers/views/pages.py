"""Customer pages: the list, the as-you-type search, the new-customer form, the ficha and
its actions."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from panorama.accounts import permissions
from panorama.core.exceptions import DomainError, NotFound, ValidationFailed
from panorama.core.http import client_ip, csv_download
from panorama.core.lists import list_response
from panorama.customers.panels import TAB_KEYS, TABS

from .. import identifiers, selectors
from ..forms import CustomerCreateForm
from ..history import customer_field_history
from ..lists import CUSTOMERS
from ..models import Identity
from ..services import relations
from ..services.customer import AddressData, CustomerData, IdentityData, customer_create
from ..services.export import ExportFilters, customers_export_csv
from .properties import key_identities, more_data, properties_shown

SEARCH_MIN_CHARS = 2
SEARCH_SIZE = 8


@require_GET
def customer_list(request):
    return list_response(request, CUSTOMERS, template="customers/list.html")


@require_GET
def customer_export(request):
    """The list as filtered on screen, every page of it, as CSV (audited)."""
    state = CUSTOMERS.state_from(request.GET)
    rows = customers_export_csv(
        user=request.user,
        filters=ExportFilters(**CUSTOMERS.selector_filters(request.user, state)),
        ip_address=client_ip(request),
    )
    return csv_download(rows, "customers.csv")


def _search(user, text: str) -> dict:
    """Exact identifier matches first, then customers whose name starts with ``text``."""
    try:
        exact = selectors.identify(user=user, value=text)
    except ValidationFailed:
        exact = []
    seen = {match.customer.pk for match in exact}
    kinds = dict(Identity.Kind.choices)
    exact_rows = [
        {"customer": m.customer, "kind": kinds.get(m.kind, m.kind), "value": m.value} for m in exact
    ]
    by_name = [
        customer
        for customer in selectors.customer_list(user=user, search=text, limit=SEARCH_SIZE).items
        if customer.pk not in seen
    ]
    return {"query": text, "exact": exact_rows, "by_name": by_name}


@require_GET
def customer_search(request):
    """As-you-type results for the navbar (HTMX); on Enter, straight to the customer."""
    # NUL is no character anyone types (and PostgreSQL cannot compare it): drop it.
    text = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    if request.htmx:
        if len(text) < SEARCH_MIN_CHARS:
            return render(request, "customers/_search_results.html", {"query": ""})
        return render(request, "customers/_search_results.html", _search(request.user, text))
    if not text:
        return redirect("customers:list")
    found = _search(request.user, text)
    if len(found["exact"]) == 1:
        return redirect("customers:detail", found["exact"][0]["customer"].pk)
    if not found["exact"] and len(found["by_name"]) == 1:
        return redirect("customers:detail", found["by_name"][0].pk)
    return redirect(reverse("customers:list") + "?" + urlencode({"q": text}))


@require_GET
def customer_pick(request):
    """The customer picker's options (customers/widgets.py) for what is typed in the
    search box named by ``field``: the same search as the navbar's, scoped alike."""
    field = request.GET.get("field", "")
    text = request.GET.get(field, "") if field.endswith("_search") else ""
    text = text.replace("\x00", "").strip()[:200]
    list_id = request.GET.get("list", "")
    context: dict = {"query": ""}
    if len(text) >= SEARCH_MIN_CHARS:
        context = _search(request.user, text)
    context["list_id"] = "".join(c for c in list_id if c.isalnum() or c in "-_")[:80]
    return render(request, "customers/widgets/_picker_options.html", context)


def _identities_from(data: dict) -> list[IdentityData]:
    wanted = [
        (Identity.Kind.NATIONAL_ID, "national_id"),
        (Identity.Kind.PHONE, "phone"),
        (Identity.Kind.EMAIL, "email"),
    ]
    return [
        IdentityData(kind=kind, value=data[name], is_primary=True)
        for kind, name in wanted
        if data.get(name, "").strip()
    ]


def _lookalikes(request, data: dict, identities: list[IdentityData]) -> list:
    """Customers the user sees who look like the one in the form (same national ID,
    phone or e-mail, or a very similar name): shown before saving, unless the user has
    already seen them and confirmed."""
    if request.POST.get("confirm_new") == "1":
        return []
    pairs = []
    for item in identities:
        try:
            pairs.append((item.kind, identifiers.normalise(item.kind, item.value)))
        except ValidationFailed:
            continue  # the service reports the bad value when the form is saved
    name = " ".join(
        part for part in (data["first_name"], data["last_name"], data["legal_name"]) if part
    )
    return selectors.customer_lookalikes(user=request.user, identities=pairs, name=name)


@require_http_methods(["GET", "POST"])
def customer_new(request):
    """The new-customer page, and the quick-create dialog of every page (base.html): an
    HTMX request with modal=1 gets the form alone, posts into the dialog, and on success
    the browser goes to the new ficha. The same form, duplicate warning and service."""
    modal = bool(request.htmx) and (request.GET.get("modal") or request.POST.get("modal")) == "1"
    form = CustomerCreateForm(request.POST or None)
    lookalikes: list = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        addresses = []
        if any(data[name].strip() for name in ("line1", "postal_code", "city")):
            addresses.append(
                AddressData(
                    line1=data["line1"],
                    postal_code=data["postal_code"],
                    city=data["city"],
                    is_primary=True,
                )
            )
        identities = _identities_from(data)
        lookalikes = _lookalikes(request, data, identities)
        if not lookalikes:
            try:
                customer = customer_create(
                    data=CustomerData(
                        kind=data["kind"],
                        first_name=data["first_name"],
                        last_name=data["last_name"],
                        legal_name=data["legal_name"],
                        identities=identities,
                        addresses=addresses,
                    ),
                    by=request.user,
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("Customer %(name)s created.") % {"name": customer})
                if modal:
                    return HttpResponseClientRedirect(
                        reverse("customers:detail", args=[customer.pk])
                    )
                return redirect("customers:detail", customer.pk)
    status = 422 if form.errors else 200
    context = {"form": form, "lookalikes": lookalikes, "modal": modal}
    template = "customers/_new_form.html" if modal else "customers/new.html"
    return render(request, template, context, status=status)


@require_GET
def customer_detail(request, customer_id: int):
    try:
        data = selectors.customer_360(
            user=request.user, customer_id=customer_id, params=request.GET
        )
    except NotFound:
        survivor = selectors.customer_survivor(user=request.user, customer_id=customer_id)
        if survivor is None:
            raise  # the DomainError middleware answers the 404 page
        messages.info(
            request,
            _("Customer #%(old)s was merged into %(name)s: this is the record that remains.")
            % {"old": customer_id, "name": survivor.display_name},
        )
        return redirect("customers:detail", survivor.pk)
    customer = data["customer"]
    every = selectors.custom_field_definitions(inactive=True)
    data["custom_fields"] = more_data(customer, every)
    data["key_identities"] = key_identities(data["identities"])
    data["properties"] = properties_shown(customer, request.user, [d for d in every if d.active])
    data["history"] = customer_field_history(customer_id=customer.pk)
    data["open_incidents"] = sum(1 for i in data["billing_incidents"] if i.status == "open")
    data["can_edit"] = permissions.can(request.user, "customers.edit")
    data["tabs"] = TABS
    asked = request.GET.get("tab", "")
    data["tab"] = asked if asked in TAB_KEYS else "overview"
    return render(request, "customers/detail.html", data)


@require_POST
def group_member_remove(request, customer_id: int, group_id: int):
    """The ficha's "leave the group" button: the customer is taken out of the group."""
    membership = selectors.membership_get(
        user=request.user, group_id=group_id, customer_id=customer_id
    )
    relations.group_member_remove(membership=membership, by=request.user)
    messages.success(
        request,
        _("%(customer)s is no longer in %(group)s.")
        % {"customer": membership.customer, "group": membership.group},
    )
    return redirect("customers:detail", customer_id)


@require_POST
def billing_incident_resolve(request, customer_id: int, incident_id: int):
    """The ficha's "resolve" button of an open billing incident."""
    incident = selectors.billing_incident_get(
        user=request.user, customer_id=customer_id, incident_id=incident_id
    )
    relations.billing_incident_resolve(incident=incident, by=request.user)
    messages.success(
        request, _("Billing incident %(reference)s resolved.") % {"reference": incident.reference}
    )
    return redirect("customers:detail", customer_id)
