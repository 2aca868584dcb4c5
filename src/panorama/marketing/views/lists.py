"""A static list from a file: the form on the lists page and its report."""

from django import forms
from django.contrib import messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from panorama.core.exceptions import ValidationFailed
from panorama.core.forms import ServiceForm

from ..models import StaticList
from ..services.list_import import list_import as import_rows

# The import form shares the segments page with the programme's form: both have a "name".
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


@require_POST
def list_import(request):
    """Upload → the list created (or added to) and, on the same page, the report of every
    row that joined no one; a bad file is shown beside the field, with a 422."""
    from .segments import _segment_list

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
            return _segment_list(request, report=report)
    return _segment_list(request, import_form=form, status=422)
