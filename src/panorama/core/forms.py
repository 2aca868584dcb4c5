"""What every HTML form shares: showing a service's error where it belongs."""

from django import forms
from django.db import models
from django.utils.formats import get_format

from .exceptions import DomainError
from .validation import max_length


class ServiceForm(forms.Form):
    """A form that only parses what the user typed: the service validates, and its
    DomainError is shown beside the field it names (or above the form)."""

    def add_domain_error(self, error: DomainError) -> None:
        """Each field's problems beside it (an error may name several fields); those of
        fields the form does not have above it."""
        placed = [name for name in error.errors if name in self.fields]
        if error.field in self.fields and not error.errors.get(error.field):
            self.add_error(error.field, str(error.message))
        elif not placed:
            self.add_error(None, str(error.message))
            return
        for name, messages in error.errors.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)


def text_input(model: type[models.Model], name: str) -> forms.TextInput:
    """A text box whose ``maxlength`` hint is the model field's limit (the browser stops
    the typing there; the service's check is the rule)."""
    return forms.TextInput(attrs={"maxlength": max_length(model, name)})


def number_typed(text: str) -> str:
    """A number as the user typed it in his language, as Python reads it: "1.234,56"
    (Spanish) or "1,234.56" (English) is "1234.56". Spaces (Spanish formats group by a
    non-breaking space) are dropped; the other mark than the decimal one is dropped only
    where it groups by three, so a lone full stop that groups nothing ("12.5" typed in
    Spanish) is the decimal point. Anything else is left for the field to refuse."""
    decimal = get_format("DECIMAL_SEPARATOR")
    text = "".join(text.split())  # also the non-breaking space
    whole, has_fraction, fraction = text.partition(decimal)
    grouping = "." if decimal == "," else ","
    if grouping in whole:
        head, *groups = whole.lstrip("+-").split(grouping)
        if 1 <= len(head) <= 3 and all(len(group) == 3 for group in groups):
            whole = whole.replace(grouping, "")
    return f"{whole}.{fraction}" if has_fraction else whole


class DecimalField(forms.DecimalField):
    """An amount, rate or quantity typed and shown in the user's language (a comma for
    decimals in Spanish, thousands grouped or not) in a text box with the decimal keypad:
    the browser's number box takes only a full stop, whatever the page's language."""

    widget = forms.TextInput

    def __init__(self, **kwargs) -> None:
        kwargs.pop("localize", None)  # always: parsed by number_typed, shown localized
        super().__init__(**kwargs)
        self.widget.is_localized = True

    def widget_attrs(self, widget: forms.Widget) -> dict:
        return {**super().widget_attrs(widget), "inputmode": "decimal"}

    def to_python(self, value):
        if isinstance(value, str):
            value = number_typed(value)
        return super().to_python(value)


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
