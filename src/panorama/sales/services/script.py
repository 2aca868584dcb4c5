"""Writing sales scripts (*argumentarios*): sales managers and administrators
(``sales.configure_pipelines``, like the rest of the sales configuration)."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import NotFound, ValidationFailed
from panorama.core.validation import rules_for

from ..models import Script, Stage

FIELDS = {"title", "body", "objections", "product_id", "segment", "stage_id", "language", "active"}
MAX_OBJECTIONS = 50
MAX_TEXT = 2000


def _objections(value: Any) -> list[dict[str, str]]:
    """A list of {"objection", "answer"} pairs, both filled, each at most 2,000 characters."""
    if value in (None, ""):
        return []
    if not isinstance(value, list) or len(value) > MAX_OBJECTIONS:
        raise ValidationFailed(
            _("Objections are a list of at most %(n)s objection and answer pairs.")
            % {"n": MAX_OBJECTIONS},
            field="objections",
        )
    pairs = []
    for item in value:
        objection = item.get("objection") if isinstance(item, dict) else None
        answer = item.get("answer") if isinstance(item, dict) else None
        if not isinstance(objection, str) or not isinstance(answer, str):
            raise ValidationFailed(_("Each objection needs its answer."), field="objections")
        objection, answer = objection.strip(), answer.strip()
        if not objection or not answer:
            raise ValidationFailed(_("Each objection needs its answer."), field="objections")
        if len(objection) > MAX_TEXT or len(answer) > MAX_TEXT:
            raise ValidationFailed(
                _("An objection or an answer is at most %(n)s characters.") % {"n": MAX_TEXT},
                field="objections",
            )
        pairs.append({"objection": objection, "answer": answer})
    return pairs


def _apply(script: Script, values: dict[str, Any]) -> None:
    from panorama.catalog.models import Product

    unknown = set(values) - FIELDS
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed: %(f)s.") % {"f": ", ".join(sorted(unknown))},
            field=sorted(unknown)[0],
        )
    for name, value in values.items():
        if name == "objections":
            value = _objections(value)
        elif name in ("product_id", "stage_id"):
            if value is not None:
                model = Product if name == "product_id" else Stage
                ok = isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63
                if not ok or not model._default_manager.filter(pk=value).exists():
                    raise ValidationFailed(
                        _("%(field)s %(id)s does not exist.") % {"field": name, "id": value},
                        field=name,
                    )
        elif name == "segment":
            value = (value or "").strip().lower()
        elif isinstance(value, str):
            value = value.strip()
        setattr(script, name, value)
    if not script.title:
        raise ValidationFailed(_("A script needs a title."), field="title")
    if not script.body:
        raise ValidationFailed(_("A script needs its talking points."), field="body")
    rules_for(Script).check(script)


@transaction.atomic
def script_create(*, by: User | None, **values: Any) -> Script:
    ensure_can(by, "sales.configure_pipelines")
    script = Script()
    _apply(script, values)
    script.save()
    emit("script.saved", script_id=script.pk, created=True, by=by.pk if by else None)
    return script


@transaction.atomic
def script_update(*, by: User | None, script_id: int, changes: dict[str, Any]) -> Script:
    ensure_can(by, "sales.configure_pipelines")
    script = Script.objects.select_for_update().filter(pk=script_id).first()
    if script is None:
        raise NotFound(_("Script %(id)s does not exist.") % {"id": script_id})
    _apply(script, changes)
    script.save()
    emit("script.saved", script_id=script.pk, created=False, by=by.pk if by else None)
    return script
