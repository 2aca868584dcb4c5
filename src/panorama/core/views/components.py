"""Staff pages of the core: the UI components page (docs/ui.md)."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from panorama.core.lists import list_response
from panorama.customers.widgets import CustomerPicker


@require_safe
def components(request):
    """Every shared component as it exists, for whoever builds a new screen (staff only)."""
    if not request.user.is_staff:
        raise PermissionDenied
    from panorama.customers.forms import AddressForm
    from panorama.customers.lists import COMPONENTS_DEMO

    themes = []
    for theme in ("light", "dark"):  # a prefix each: no id twice on the page
        invalid = AddressForm(
            prefix=f"{theme}-invalid",
            data={f"{theme}-invalid-kind": "home", f"{theme}-invalid-city": "Madrid"},
        )
        invalid.is_valid()
        invalid.mark_errors()
        themes.append({"name": theme, "form": AddressForm(prefix=theme), "invalid": invalid})
    context = {
        "themes": themes,
        "kanban_columns": _kanban_demo(),
        "picker_form": _PickerDemo(auto_id="demo-%s"),
        "inline_demo": _inline_demo(),
    }
    return list_response(request, COMPONENTS_DEMO, template="core/components.html", context=context)


@require_safe
def palette(request):
    """The palette's actions and records for what was typed (HTML for palette.js)."""
    from panorama.core.palette import actions_for, hits_for

    text = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    groups = hits_for(request.user, text)
    context = {
        "query": text,
        "actions": actions_for(request.user, text),
        # Only the groups that found something; one "nothing matches" when none did.
        "groups": groups,
        "found": any(hits for _label, hits in groups),
    }
    return render(request, "core/_palette_results.html", context)


class _PickerDemo(forms.Form):
    customer = forms.IntegerField(label=_("Customer"), required=False, widget=CustomerPicker)


def _inline_demo() -> dict:
    """The in-place editor's states for the Properties specimen, static (no database, no
    address to save to): a value one may not change is the real partial's plain text
    (a ``Shown`` without ``url``); the editors' widgets are the form fields' own, with
    the classes ``core.inline.editor`` gives them but not its autofocus."""
    from panorama.core.inline import Shown

    def widget(field: forms.Field, value: str, label: str, **extra: str) -> str:
        size = "form-select form-select-sm" if isinstance(field, forms.ChoiceField) else ""
        attrs = {"class": size or "form-control form-control-sm", "aria-label": label}
        return field.widget.render("value", value, attrs=attrs | extra)

    status = forms.ChoiceField(
        choices=[("prospect", _("Prospect")), ("active", _("Active")), ("inactive", _("Inactive"))]
    )
    return {
        "read_only": Shown("owner", _("Account manager"), "Elena Martín"),
        "status_widget": widget(status, "active", _("Status")),
        "email_widget": widget(
            forms.EmailField(), "lucia@", _("E-mail"), **{"aria-invalid": "true"}
        ),
        "email_error": _("Enter a valid email address."),
    }


def _kanban_demo() -> list[dict]:
    """Three columns of made-up cards for the kanban specimen (no database)."""
    from decimal import Decimal
    from types import SimpleNamespace

    cards = [
        ("Fibra 600", "Lucía Gómez", "1200.00", 0),
        ("Alarma", "Talleres Pérez", "300.00", 0),
        ("Renting", "Ana Ruiz", "5400.00", 1),
        ("Seguro hogar", "Luis Martín", "420.00", 2),
    ]
    columns = []
    for index, title in enumerate([_("To do"), _("Doing"), _("Done")]):
        mine = [
            SimpleNamespace(pk=n + 1, name=name, customer=who, value=Decimal(value))
            for n, (name, who, value, column) in enumerate(cards)
            if column == index
        ]
        columns.append(
            {
                "id": index + 1,
                "title": title,
                "count": len(mine),
                "total": sum((c.value for c in mine), Decimal(0)),
                "cards": mine,
                "more_url": "",
            }
        )
    return columns
