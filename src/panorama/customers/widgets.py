"""Form widgets that pick a customer: the shared customer picker (docs/ui.md).

``CustomerPicker`` renders a search box (identify-as-you-type: an identifier matches
exactly, otherwise names starting with what is typed, only customers the user may see)
and a hidden input holding the chosen customer's id, which is what the form receives.
``picker.js`` fills the hidden input from the chosen option; without JavaScript the
form still works with nothing picked."""

from typing import Any

from django import forms


class CustomerPicker(forms.Widget):
    template_name = "customers/widgets/customer_picker.html"

    def __init__(self, attrs: dict[str, Any] | None = None, *, label: str = "") -> None:
        super().__init__(attrs)
        self.label = label  # the chosen customer's name, when the form is shown again

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict:
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget["search_name"] = f"{name}_search"
        widget["label"] = self.label if value not in (None, "") else ""
        return context

    def value_from_datadict(self, data, files, name: str) -> Any:
        return data.get(name)

    def value_omitted_from_data(self, data, files, name: str) -> bool:
        return name not in data
