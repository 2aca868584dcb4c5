"""The configurator screen: choose a product's options, see at once what is included,
what it costs and every reason a combination is refused."""

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from panorama.core.exceptions import DomainError

from .. import selectors
from ..selectors.options import option_model
from ..services.configuration import configuration_check
from ..services.pricing import price_line


@require_http_methods(["GET", "POST"])
def product_configure(request, product_id: int):
    product = selectors.product_get(product_id=product_id)
    model = option_model(product.pk)
    chosen = request.POST.getlist("options") if request.method == "POST" else []
    configuration = configuration_check(product=product, options=chosen, model=model)
    priced, error = None, None
    if request.method == "POST" and configuration.valid:
        # The same service quotes use: list price, price list, promotion, tax, explained.
        try:
            priced = price_line(product_id=product.pk, options=chosen)
        except DomainError as exc:
            error = exc.message
    context = {
        "product": product,
        "sections": model.sections(),
        "chosen": set(chosen),
        "configuration": configuration,
        "unit_price": product.list_price + configuration.options_price,
        "checked": request.method == "POST",
        "priced": priced,
        "price_error": error,
    }
    if request.htmx:
        return render(request, "catalog/_configuration.html", context)
    return render(request, "catalog/product_configure.html", context)
