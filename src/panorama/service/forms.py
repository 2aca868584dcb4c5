"""The cases' HTML forms: they parse what was typed; the case services validate."""

from django import forms
from django.utils.translation import gettext_lazy as _

from panorama.accounts.models import User
from panorama.channels.models import Interaction
from panorama.core.forms import text_input
from panorama.customers.forms import StyledForm

from .models import Case, CaseMessage, Queue


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
