from django import forms
from django.utils.translation import gettext_lazy as _

from panorama.core.forms import StyledForm

DOCUMENT_HELP = _("A PDF or a TIFF file.")


class FaxUploadForm(StyledForm):
    number = forms.CharField(label=_("Sender's fax number"), required=False)
    document = forms.FileField(label=_("Document"), help_text=DOCUMENT_HELP)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class FaxSendForm(StyledForm):
    number = forms.CharField(label=_("Fax number"), required=False)
    document = forms.FileField(label=_("Document"), help_text=DOCUMENT_HELP)
    cover = forms.CharField(
        label=_("Cover note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class FaxCaseForm(StyledForm):
    subject = forms.CharField(label=_("Case subject"), required=False)
