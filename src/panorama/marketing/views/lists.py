"""The static lists page: the lists (the shared list, lists_campaigns.STATIC_LISTS) and
the import of one from a file, with its report."""

from django import forms
from django.contrib import messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from panorama.core.exceptions import ValidationFailed
from panorama.core.forms import ServiceForm
from panorama.core.lists import list_response

from ..models import StaticList
from ..services.list_import import list_import as import_rows

# The import form's ids (its "name" field once shared the segments page with another).
IMPORT_IDS = "list-import-%s"


class ListImportForm(ServiceForm):
    file = forms.FileField(
        label=gettext_lazy("File (CSV or Excel)"),
        help_text=gettext_lazy(
            "One column with a header: e-mail addresses, phones or references (any "
            "identifier), or customer numbers under a header “id”."
        ),
        widget=forms.ClearableFileInput(
            attrs={"class": "form-control", "accept": ".csv,.txt,.tsv,.xlsx"}
        ),
    )
    static_list = forms.ModelChoiceField(
        StaticList.objects.order_by("name", "id"),
        label=gettext_lazy("Add to the list"),
        empty_label=gettext_lazy("A new list…"),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    # Required by the service when no list is chosen (its message, beside this field).
    name = forms.CharField(
        label=gettext_lazy("Name of the new list"),
        max_length=StaticList._meta.get_field("name").max_length,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


@require_GET
def static_list_list(request):
    return _lists_page(request)


def _lists_page(request, *, import_form=None, report=None, status: int = 200):
    """The static lists (the shared list) and, for who builds lists, the import form."""
    from ..lists_campaigns import STATIC_LISTS

    context = {"import_form": import_form or ListImportForm(auto_id=IMPORT_IDS), "report": report}
    response = list_response(
        request, STATIC_LISTS, template="marketing/static_lists.html", context=context
    )
    response.status_code = status
    return response


@require_POST
def list_import(request):
    """Upload → the list created (or added to) and, on the lists page, the report of every
    row that joined no one; a bad file is shown beside the field, with a 422."""
    form = ListImportForm(request.POST, request.FILES, auto_id=IMPORT_IDS)
    if form.is_valid():
        data = form.cleaned_data
        try:
            report = import_rows(
                by=request.user,
                upload=data["file"],
                name=data["name"],
                static_list=data["static_list"],
            )
        except ValidationFailed as exc:
            form.add_domain_error(exc)
        else:
            messages.success(
                request,
                _("%(joined)s customers joined the list %(name)s.")
                % {"joined": report.joined, "name": report.static_list.name},
            )
            return _lists_page(request, report=report)
    return _lists_page(request, import_form=form, status=422)
