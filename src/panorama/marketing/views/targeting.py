"""A segment's targeting on its page: priority, team, offers, and its alerts."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from panorama.accounts.models import Team
from panorama.core.exceptions import ValidationFailed
from panorama.core.forms import StyledForm

from .. import selectors
from ..models import SegmentAlert
from ..services import targeting as services


class TargetingForm(StyledForm):
    priority = forms.IntegerField(
        label=gettext_lazy("Priority"),
        initial=0,
        help_text=gettext_lazy("From 0 to 100: higher comes first on the ficha."),
    )
    team_id = forms.TypedChoiceField(
        label=gettext_lazy("Shown to"), required=False, coerce=int, empty_value=None
    )
    offer_ids = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Offers its customers are eligible for"),
        required=False,
        coerce=int,
        help_text=gettext_lazy("Active catalogue products; a product he holds is not offered."),
    )

    def __init__(self, *args, **kwargs):
        from panorama.catalog.models import Product

        super().__init__(*args, **kwargs)
        team, offers = self.fields["team_id"], self.fields["offer_ids"]
        assert isinstance(team, forms.ChoiceField) and isinstance(offers, forms.ChoiceField)
        team.choices = [("", _("The whole staff"))] + [
            (t.pk, t.name) for t in Team.objects.order_by("name")
        ]
        offers.choices = [
            (p.pk, f"{p.name} ({p.sku})")
            for p in Product.objects.filter(active=True).order_by("name")[:500]
        ]
        offers.widget.attrs["size"] = 6


class SegmentAlertForm(StyledForm):
    text = forms.CharField(
        label=gettext_lazy("Text"), widget=forms.Textarea(attrs={"rows": 2, "maxlength": 500})
    )
    level = forms.ChoiceField(label=gettext_lazy("Level"), choices=SegmentAlert.Level.choices)
    starts_on = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)


def targeting_context(user, segment) -> dict:
    return {
        "targeting_form": TargetingForm(
            initial={
                "priority": segment.priority,
                "team_id": segment.team_id,
                "offer_ids": [p.pk for p in segment.offers.all()],
            },
            auto_id="targeting-%s",
        ),
        "alert_form": SegmentAlertForm(auto_id="segment-alert-%s"),
        "segment_alerts": selectors.segment_alerts(segment=segment),
    }


def _refused(request, segment, name: str, form) -> object:
    from .segments import segment_page

    return segment_page(request, segment, extra={name: form}, status=422)


@require_POST
def segment_targeting(request, segment_id: int):
    segment = selectors.segment_get(segment_id=segment_id, user=request.user)
    form = TargetingForm(request.POST, auto_id="targeting-%s")
    if form.is_valid():
        try:
            services.segment_targeting_set(by=request.user, segment=segment, **form.values())
        except ValidationFailed as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Priority, visibility and offers saved."))
            return redirect("marketing:segment_edit", segment.pk)
    return _refused(request, segment, "targeting_form", form)


@require_POST
def segment_alert_add(request, segment_id: int):
    segment = selectors.segment_get(segment_id=segment_id, user=request.user)
    form = SegmentAlertForm(request.POST, auto_id="segment-alert-%s")
    if form.is_valid():
        try:
            services.segment_alert_save(by=request.user, segment=segment, **form.values())
        except ValidationFailed as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Segment alert saved."))
            return redirect("marketing:segment_edit", segment.pk)
    return _refused(request, segment, "alert_form", form)


@require_POST
def segment_alert_toggle(request, alert_id: int):
    """Switch a segment alert on or off (the same service as its creation)."""
    alert = selectors.segment_alert_get(user=request.user, alert_id=alert_id)
    services.segment_alert_save(
        by=request.user,
        segment=alert.segment,
        alert=alert,
        text=alert.text,
        level=alert.level,
        starts_on=alert.starts_on,
        ends_on=alert.ends_on,
        active=not alert.active,
    )
    on = alert.active  # as the service left it
    messages.success(
        request, _("Segment alert switched on.") if on else _("Segment alert switched off.")
    )
    return redirect("marketing:segment_edit", alert.segment_id)
