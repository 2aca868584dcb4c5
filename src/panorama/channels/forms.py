"""The "log a contact" form: it parses what the agent typed; interaction_record validates."""

from django import forms
from django.utils.translation import gettext_lazy as _

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


class InteractionForm(forms.Form):
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
    subject = forms.CharField(label=_("Subject"), required=False, max_length=200)
    body = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea)
    outcome = forms.CharField(label=_("Outcome"), required=False, max_length=100)

    def add_domain_error(self, error) -> None:
        field = error.field if error.field in self.fields else None
        self.add_error(field, str(error.message))
