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


class StyledForm(ServiceForm):
    """A form whose widgets carry Bootstrap's classes and the ARIA state of their errors,
    so one template (``customers/_form.html``) renders any of them."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.style()

    def style(self) -> None:
        """Classes for every field (again after a subclass adds fields)."""
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)

    # A service may name a field by another name than the form's (an identity's error
    # names its kind: "national_id", "phone"...).
    field_aliases: dict[str, str] = {}

    def add_domain_error(self, error) -> None:
        """Like ServiceForm's, through ``field_aliases``."""
        name = self.field_aliases.get(error.field, error.field)
        if name != error.field and name in self.fields:
            self.add_error(name, str(error.message))
        else:
            super().add_domain_error(error)

    def values(self) -> dict:
        """What the service is handed: the cleaned data, unless a form says otherwise."""
        return dict(self.cleaned_data)

    def mark_errors(self) -> None:
        """Flag the fields in error for the eye (red) and for screen readers."""
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = attrs.get("class", "") + " is-invalid"
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}-error"
