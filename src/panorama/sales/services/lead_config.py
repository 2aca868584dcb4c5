"""The lead configuration administrators keep outside the Django admin: scoring rules,
assignment rules and public web forms. One save per kind, the model's own validation
(``full_clean``) and one permission (``sales.configure``); deactivating is a save of
``active``. A scoring rule's change queues the rescoring of every open lead."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.events import emit
from panorama.core.exceptions import NotFound, ValidationFailed

from ..models import AssignmentRule, ScoringRule, WebForm

CONFIGURABLE: dict[str, type[models.Model]] = {
    "scoring": ScoringRule,
    "assignment": AssignmentRule,
    "webform": WebForm,
}

# What a user may set on each (never the token, the round robin's cursor or dates).
EDITABLE: dict[str, tuple[str, ...]] = {
    "scoring": (
        "name",
        "kind",
        "field",
        "operator",
        "value",
        "activity_kind",
        "max_points",
        "points",
        "active",
        "position",
    ),
    "assignment": (
        "name",
        "kind",
        "countries",
        "regions",
        "postal_prefixes",
        "field",
        "operator",
        "value",
        "team",
        "owner",
        "capacity",
        "active",
        "position",
    ),
    "webform": (
        "name",
        "fields",
        "required_fields",
        "team",
        "allowed_origins",
        "thank_you_url",
        "active",
    ),
}


def _model(kind: str) -> type[models.Model]:
    if kind not in CONFIGURABLE:
        raise NotFound(_("There is no lead setting of kind %(k)s.") % {"k": kind})
    return CONFIGURABLE[kind]


RELATED: dict[str, tuple[str, ...]] = {"assignment": ("team", "owner"), "webform": ("team",)}


def lead_configs(*, user: User, kind: str) -> list[Any]:
    """Every setting of ``kind`` in its order, for the page and the API alike."""
    return list(lead_configs_visible_to(user=user, kind=kind))


def lead_configs_visible_to(*, user: User, kind: str) -> models.QuerySet:
    """The settings of ``kind`` (their relations loaded), for who may configure leads
    only: the settings lists and their bulk actions read through here."""
    ensure_can(user, "sales.configure")
    return _model(kind)._default_manager.select_related(*RELATED.get(kind, ()))


def lead_config_get(*, kind: str, obj_id: int, for_update: bool = False) -> Any:
    model = _model(kind)
    qs = model._default_manager.all()
    found = (qs.select_for_update() if for_update else qs).filter(pk=obj_id).first()
    if found is None:
        raise NotFound(
            _("%(what)s %(id)s does not exist.")
            % {"what": str(model._meta.verbose_name).capitalize(), "id": obj_id}
        )
    return found


def _resolve(model: type[models.Model], name: str, value: Any) -> Any:
    """An id given for a foreign key (the API) becomes its record, or a field error."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.ForeignKey) or value is None or isinstance(value, models.Model):
        return value
    related = field.related_model._default_manager  # type: ignore[union-attr]
    try:
        found = related.filter(pk=value).first()
    except (ValueError, TypeError, OverflowError):
        found = None
    if found is None:
        raise ValidationFailed(
            _("%(f)s %(id)s does not exist.") % {"f": name, "id": value}, field=name
        )
    return found


@transaction.atomic
def lead_config_save(
    *, by: User | None, kind: str, values: dict[str, Any], obj_id: int | None = None
) -> Any:
    """Create (no ``obj_id``) or change a scoring rule, an assignment rule or a web
    form; ``values`` holds only what changes. Refused as a whole with the field named."""
    ensure_can(by, "sales.configure")
    model = _model(kind)
    unknown = set(values) - set(EDITABLE[kind])
    if unknown:
        raise ValidationFailed(
            _("These fields cannot be changed: %(f)s.") % {"f": ", ".join(sorted(unknown))},
            field=sorted(unknown)[0],
        )
    obj = model() if obj_id is None else lead_config_get(kind=kind, obj_id=obj_id, for_update=True)
    for name, value in values.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(obj, name, _resolve(model, name, value))
    try:
        obj.full_clean()
    except DjangoValidationError as exc:
        errors = getattr(exc, "message_dict", {"__all__": exc.messages})
        field, messages = next(iter(errors.items()))
        raise ValidationFailed(
            str(messages[0]), field="" if field == "__all__" else field
        ) from None
    created = obj.pk is None
    obj.save()
    emit(
        "sales.lead_config_changed",
        kind=kind,
        object_id=obj.pk,
        created=created,
        active=bool(getattr(obj, "active", True)),
        by=by.pk if by else None,
    )
    if model is ScoringRule and by is not None:
        from .lead_scoring import leads_rescore_task

        user_id = by.pk
        transaction.on_commit(lambda: leads_rescore_task.enqueue(user_id))
    return obj
