"""The cases' HTML forms: they parse what was typed; the case services validate."""

from typing import cast

from django import forms
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from panorama.accounts.models import User
from panorama.catalog.models import Product
from panorama.channels.models import Interaction
from panorama.core.forms import DecimalField, StyledForm, text_input

from .models import (
    ArticleCategory,
    Asset,
    Case,
    CaseMessage,
    Defect,
    Part,
    Queue,
    ServiceContract,
    SlaPolicy,
    StockLocation,
)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; parsed only (the case services check them)."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [f for f in files if f]


class CaseForm(StyledForm):
    customer = forms.IntegerField(label=_("Customer number"), widget=forms.HiddenInput)
    subject = forms.CharField(label=_("Subject"), widget=text_input(Case, "subject"))
    type = forms.ChoiceField(label=_("Type"), choices=Case.Type.choices)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Case.Priority.choices, initial=Case.Priority.NORMAL
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=Interaction.Channel.choices, initial="phone"
    )
    queue = forms.ModelChoiceField(
        label=_("Queue"), required=False, queryset=Queue.objects.filter(active=True)
    )
    skill = forms.CharField(label=_("Skill needed"), required=False, max_length=40)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    attachments = MultipleFileField(label=_("Attach files"), required=False)

    def __init__(self, *args, max_bytes: int = 0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = _(
            "Up to 5 files of %(size)s each: documents, images, spreadsheets, text or zip. "
            "They are kept on the case as an internal note."
        ) % {"size": filesizeformat(max_bytes)}


class CaseEditForm(StyledForm):
    """A case's details on its page (``case_update`` checks them)."""

    type = forms.ChoiceField(label=_("Type"), choices=Case.Type.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Case.Priority.choices)
    queue = forms.ModelChoiceField(
        label=_("Queue"), required=False, queryset=Queue.objects.none(), empty_label=_("No queue")
    )
    product = forms.ModelChoiceField(
        label=_("Product"),
        required=False,
        queryset=Product.objects.none(),
        empty_label=_("No product"),
    )
    asset = forms.ModelChoiceField(
        label=_("Asset"), required=False, queryset=Asset.objects.none(), empty_label=_("No asset")
    )

    def __init__(self, *args, case: Case, **kwargs) -> None:
        kwargs.setdefault(
            "initial",
            {
                "type": case.type,
                "priority": case.priority,
                "queue": case.queue_id,
                "product": case.product_id,
                "asset": case.asset_id,
            },
        )
        super().__init__(*args, **kwargs)
        # The active ones, and the case's own even if no longer active.
        queue = cast(forms.ModelChoiceField, self.fields["queue"])
        queue.queryset = Queue.objects.filter(Q(active=True) | Q(pk=case.queue_id))
        product = cast(forms.ModelChoiceField, self.fields["product"])
        product.queryset = Product.objects.filter(Q(active=True) | Q(pk=case.product_id)).order_by(
            "name"
        )
        asset = cast(forms.ModelChoiceField, self.fields["asset"])
        asset.queryset = Asset.objects.filter(customer_id=case.customer_id).select_related(
            "product"
        )

    def changes(self) -> dict:
        data = self.cleaned_data
        return {
            "type": data["type"],
            "priority": data["priority"],
            "queue_id": data["queue"].pk if data["queue"] else None,
            "product_id": data["product"].pk if data["product"] else None,
            "asset_id": data["asset"].pk if data["asset"] else None,
        }


class CaseMessageForm(StyledForm):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(CaseMessage.Kind.REPLY, _("Reply")), (CaseMessage.Kind.NOTE, _("Note"))],
        initial=CaseMessage.Kind.REPLY,
        widget=forms.RadioSelect,
    )
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}))


class CaseAssignForm(StyledForm):
    owner = forms.ModelChoiceField(
        label=_("Agent"),
        required=False,
        empty_label=_("Nobody (back to the queue)"),
        queryset=User.objects.filter(is_active=True).order_by("first_name", "username"),
    )


# --- call management ----------------------------------------------------------------------


class CallLogForm(StyledForm):
    """What the agent notes on a call from its screen pop, and the case it may open."""

    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    wrap_up_code = forms.CharField(label=_("Wrap-up code"), required=False, max_length=40)
    open_case = forms.BooleanField(label=_("Open a case"), required=False)
    subject = forms.CharField(label=_("Case subject"), required=False, max_length=200)
    queue = forms.ModelChoiceField(
        label=_("Queue"), required=False, queryset=Queue.objects.filter(active=True)
    )


class CallCustomerForm(StyledForm):
    """A new customer for an unknown caller, the number filled in."""

    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=150)
    phone = forms.CharField(label=_("Phone"), max_length=40)


class CallbackNewForm(StyledForm):
    """A callback an agent records (for a customer, or a number)."""

    customer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    window_start = forms.DateTimeField(
        label=_("Call from"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    window_end = forms.DateTimeField(
        label=_("Call until"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    queue = forms.ModelChoiceField(
        label=_("Queue"), required=False, queryset=Queue.objects.filter(active=True)
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


# --- field service ------------------------------------------------------------------------


class AssetForm(StyledForm):
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.filter(active=True).order_by("name")
    )
    serial_number = forms.CharField(label=_("Serial number"), max_length=80)
    install_date = forms.DateField(
        label=_("Install date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    site = forms.CharField(label=_("Location"), required=False, max_length=200)
    parent = forms.ModelChoiceField(
        label=_("Part of"),
        required=False,
        queryset=Asset.objects.none(),
        empty_label=_("Nothing (top level)"),
    )

    field_aliases = {"product_id": "product", "parent_id": "parent"}

    def __init__(self, *args, customer=None, exclude_pk: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        parent = cast(forms.ModelChoiceField, self.fields["parent"])
        candidates = Asset.objects.filter(customer=customer).select_related("product")
        parent.queryset = candidates.exclude(pk=exclude_pk) if exclude_pk else candidates


class ContractForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ServiceContract.Kind.choices)
    starts_on = forms.DateField(
        label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(label=_("Ends on"), widget=forms.DateInput(attrs={"type": "date"}))
    assets = forms.ModelMultipleChoiceField(
        label=_("Assets covered"),
        required=False,
        queryset=Asset.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    products = forms.ModelMultipleChoiceField(
        label=_("Every asset of these products"),
        required=False,
        queryset=Product.objects.filter(active=True).order_by("name"),
    )
    visits_included = forms.IntegerField(label=_("Visits included"), required=False, min_value=0)
    hours_included = DecimalField(
        label=_("Hours included"), required=False, min_value=0, max_digits=7, decimal_places=1
    )
    sla_policy = forms.ModelChoiceField(
        label=_("SLA policy"), required=False, queryset=SlaPolicy.objects.filter(active=True)
    )
    renewal_notice_days = forms.IntegerField(
        label=_("Renewal notice (days)"), initial=30, min_value=0, max_value=365
    )

    def __init__(self, *args, customer=None, **kwargs):
        super().__init__(*args, **kwargs)
        assets = cast(forms.ModelMultipleChoiceField, self.fields["assets"])
        assets.queryset = Asset.objects.filter(customer=customer).select_related("product")


class WorkOrderForm(StyledForm):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    asset = forms.ModelChoiceField(
        label=_("Asset"), required=False, queryset=Asset.objects.none(), empty_label=_("No asset")
    )
    skill = forms.CharField(label=_("Skill needed"), required=False, max_length=40)
    duration_minutes = forms.IntegerField(
        label=_("Planned minutes"), initial=60, min_value=5, max_value=24 * 60
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, customer=None, **kwargs):
        super().__init__(*args, **kwargs)
        asset = cast(forms.ModelChoiceField, self.fields["asset"])
        asset.queryset = Asset.objects.filter(customer=customer).select_related("product")


class TransferForm(StyledForm):
    part = forms.ModelChoiceField(label=_("Part"), queryset=Part.objects.filter(active=True))
    from_location = forms.ModelChoiceField(
        label=_("From"), queryset=StockLocation.objects.filter(active=True)
    )
    to_location = forms.ModelChoiceField(
        label=_("To"), queryset=StockLocation.objects.filter(active=True)
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=1_000_000)


class DefectForm(StyledForm):
    product: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.order_by("name")
    )
    title = forms.CharField(label=_("Title"), widget=text_input(Defect, "title"))
    version = forms.CharField(
        label=_("Version"), required=False, widget=text_input(Defect, "version")
    )
    component = forms.CharField(
        label=_("Component"), required=False, widget=text_input(Defect, "component")
    )
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Defect.Severity.choices, initial=Defect.Severity.MAJOR
    )
    found_on = forms.DateField(
        label=_("Found on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class DefectCaseForm(StyledForm):
    case = forms.CharField(label=_("Case reference"), max_length=20)

    def clean_case(self) -> int:
        text = self.cleaned_data["case"].strip().upper()
        digits = text[2:] if text.startswith("C-") else text
        if not digits.isdigit():
            raise forms.ValidationError(_("Type a case reference such as C-000123."))
        return int(digits)


class DefectAssetForm(StyledForm):
    serial_number = forms.CharField(label=_("Serial number"), max_length=100)


class ReportPeriodForm(StyledForm):
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ContractRenewForm(StyledForm):
    ends_on = forms.DateField(
        label=_("Renewal ends on"),
        required=False,
        help_text=_("Empty: as long as the current period."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class ContractExtendForm(StyledForm):
    ends_on = forms.DateField(label=_("New end"), widget=forms.DateInput(attrs={"type": "date"}))


class ContractCancelForm(StyledForm):
    on = forms.DateField(
        label=_("Cancelled from"),
        help_text=_("From this day the contract covers nothing."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=text_input(ServiceContract, "cancellation_reason"),
        max_length=300,
    )


class CategoryForm(StyledForm):
    name_en = forms.CharField(
        label=_("Name (English)"), widget=text_input(ArticleCategory, "name_en")
    )
    name_es = forms.CharField(
        label=_("Name (Spanish)"),
        required=False,
        help_text=_("Empty: the English name."),
        widget=text_input(ArticleCategory, "name_es"),
    )
    slug = forms.CharField(
        label=_("Address"),
        required=False,
        help_text=_("Empty: made from the name."),
        widget=text_input(ArticleCategory, "slug"),
    )
    parent = forms.ModelChoiceField(
        label=_("Under"),
        required=False,
        empty_label=_("(top level)"),
        queryset=ArticleCategory.objects.order_by("name_en"),
    )
