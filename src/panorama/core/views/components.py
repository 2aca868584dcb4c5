"""Staff pages of the core: the UI components page (docs/ui.md)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_safe

from panorama.core.lists import list_response


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
    return list_response(
        request, COMPONENTS_DEMO, template="core/components.html", context={"themes": themes}
    )


@require_safe
def palette(request):
    """The palette's actions and records for what was typed (HTML for palette.js)."""
    from panorama.core.palette import actions_for, hits_for

    text = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    context = {
        "query": text,
        "actions": actions_for(request.user, text),
        "groups": hits_for(request.user, text),
    }
    return render(request, "core/_palette_results.html", context)
