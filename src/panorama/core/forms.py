"""What every HTML form shares: showing a service's error where it belongs."""

from django import forms
from django.db import models

from .exceptions import DomainError
from .validation import max_length


class ServiceForm(forms.Form):
    """A form that only parses what the user typed: the service validates, and its
    DomainError is shown beside the field it names (or above the form)."""

    def add_domain_error(self, error: DomainError) -> None:
        if error.field in self.fields:
            for message in error.errors.get(error.field) or [str(error.message)]:
                self.add_error(error.field, message)
        else:
            self.add_error(None, str(error.message))


def text_input(model: type[models.Model], name: str) -> forms.TextInput:
    """A text box whose ``maxlength`` hint is the model field's limit (the browser stops
    the typing there; the service's check is the rule)."""
    return forms.TextInput(attrs={"maxlength": max_length(model, name)})
