"""The Ctrl+K palette's server half: actions and records, from what the apps register.

The pages to go to are the sidebar's own links, read by ``palette.js`` in the browser:
a new app's sidebar entry is in the palette without registering anything. An app adds
its actions and a search over its records from ``AppConfig.ready()``::

    palette.register_action(palette.Action(_("New customer"), "customers:create",
                                           icon="person-plus", permission="customers.edit"))
    palette.register_search(_("Customers"), customer_hits)   # (user, text) -> [Hit, ...]

A search gets the typed text (2 characters or more) and answers a few hits, scoped to
the user like everything else it reads; each must be an indexed lookup (the palette
answers as you type).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise

from panorama.accounts.permissions import can

Label = str | Promise


@dataclass(frozen=True)
class Action:
    label: Label
    url_name: str
    icon: str = "arrow-right"
    permission: str = ""
    keywords: Label = ""  # other words that find it

    def allowed(self, user: Any) -> bool:
        return not self.permission or can(user, self.permission)


@dataclass(frozen=True)
class Hit:
    label: str
    url: str
    detail: str = ""
    icon: str = "person"


_actions: list[Action] = []
_searches: list[tuple[Label, Callable[[Any, str], list[Hit]]]] = []


def register_action(action: Action) -> None:
    if action not in _actions:
        _actions.append(action)


def register_search(label: Label, search: Callable[[Any, str], list[Hit]]) -> None:
    if all(existing is not search for _label, existing in _searches):
        _searches.append((label, search))


def _folded(text: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", str(text).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def actions_for(user: Any, text: str) -> list[dict]:
    wanted = _folded(text)
    found = []
    for action in _actions:
        if not action.allowed(user):
            continue
        words = _folded(f"{action.label} {action.keywords}")
        if wanted and wanted not in words:
            continue
        found.append({"label": action.label, "url": reverse(action.url_name), "icon": action.icon})
    return found


def hits_for(user: Any, text: str) -> list[tuple[Label, list[Hit]]]:
    if len(text) < 2:
        return []
    return [(label, search(user, text)) for label, search in _searches]
