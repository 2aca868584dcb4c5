"""The shared list: one declaration per list, one set of templates, state in the URL.

An app declares a list once (columns, filters, sorts, where its rows come from) and its
view hands the request to ``list_response``::

    class CustomerList(ListDefinition):
        name = "customers"                       # ids, saved views, cache keys
        url_name = "customers:list"
        noun = ngettext_lazy("%(count)s customer", "%(count)s customers", "n")
        columns = [Column("name", _("Name"), link=True, sort="name"), ...]
        filters = [Filter("status", _("Status"), choices=Customer.Status.choices)]
        sorts = [Sort("name", _("Name A–Z"), Keyset("search_name", "id", types=(str, int)))]

        def filtered(self, user, state):          # scoped selector + filters + search
            ...

    @require_GET
    def customer_list(request):
        return list_response(request, CUSTOMERS, template="customers/list.html")

and its page template includes ``core/list/list.html``. Everything the user chose
(search, filters, sort, columns, saved view, how many rows are loaded) is in the query
string, so a reload or a copied URL shows the same rows. Rows come by keyset
(``core.pagination.Keyset``): "load more" costs the same at row 5,000 as at row 50, and
the total is counted once, bounded and cached (``approximate_total``), never per page.
"""

from .actions import BulkAction, Edit
from .common import (
    ACTIVE_CHOICES,
    BY_NAME,
    BY_NAME_DESC,
    NEWEST,
    OLDEST,
    active_chip,
    active_edit,
    active_toggle,
    active_value,
    id_value,
    named_choices,
    person,
)
from .definition import (
    Column,
    Filter,
    Label,
    ListDefinition,
    ListState,
    Sort,
    attr,
    chip,
    choice,
)
from .render import RenderedList, approximate_total, header_sort, list_response, render_list

__all__ = [
    "ACTIVE_CHOICES",
    "BY_NAME",
    "BY_NAME_DESC",
    "NEWEST",
    "OLDEST",
    "BulkAction",
    "Edit",
    "Column",
    "Filter",
    "Label",
    "ListDefinition",
    "ListState",
    "RenderedList",
    "Sort",
    "active_chip",
    "active_edit",
    "active_toggle",
    "active_value",
    "approximate_total",
    "attr",
    "chip",
    "choice",
    "header_sort",
    "id_value",
    "list_response",
    "named_choices",
    "person",
    "render_list",
]
