"""The "log a contact" form: it parses what the agent typed; interaction_record validates."""

from django import forms
from django.utils.translation import gettext_lazy as _

from panorama.core.forms import ServiceForm, text_input

from .models import Interaction

# What an agent logs by hand; web events and portal visits arrive by themselves.
LOGGABLE_CHANNELS = [
    Interaction.Channel.PHONE,
    Interaction.Channel.NOTE,
    Interaction.Channel.EMAIL,
    Interaction.Channel.IN_PERSON,
    Interaction.Channel.SMS,
    Interaction.Channel.CHAT,
    Interaction.Channel.FAX,
]


class InteractionForm(ServiceForm):
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[(c.value, c.label) for c in LOGGABLE_CHANNELS],
        initial=Interaction.Channel.PHONE,
    )
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=Interaction.Direction.choices,
        initial=Interaction.Direction.INBOUND,
    )
    # Not required here: interaction_record owns the rule and its message.
    subject = forms.CharField(
        label=_("Subject"), required=False, widget=text_input(Interaction, "subject")
    )
    body = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea)
    outcome = forms.CharField(
        label=_("Outcome"), required=False, widget=text_input(Interaction, "outcome")
    )
