"""One validation: the model's own field definitions are the rules every write obeys.

A service builds its instance and calls ``rules_for(Model).check(instance)``; the web
form, the API, the import and the shell all go through a service, so the same value
gets the same error, in the user's language, on every path, and nothing is cut.

Checked here, from the model's fields: the length of text (``max_length``), the
choices, that a text without ``blank=True`` is not empty, decimals' precision and
slugs' characters. Django's own
``full_clean()`` would also query the database for every foreign key and unique
constraint: a service checks those itself (once, or in bulk), and the import checks a
row in a helper process that has no database at all. The table of rules is built
once per model, so checking a row costs a few comparisons; the field's own
``clean()`` runs only to word the error.
"""

from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any, cast

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from pydantic import Field

from .exceptions import ValidationFailed


def field_error(model: type[models.Model], name: str, message: Any) -> ValidationFailed:
    """The ValidationFailed for one field of ``model``: the field's label and the message
    in ``detail``, the bare message in ``errors[name]`` (what a form shows beside it)."""
    label = capfirst(cast(models.Field, model._meta.get_field(name)).verbose_name)
    return ValidationFailed(
        _("%(field)s: %(message)s") % {"field": label, "message": message},
        field=name,
        errors={name: [str(message)]},
    )


class FieldRules:
    """The rules of a model's text and choice fields, read once from their definitions."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        fields = [
            f
            for f in model._meta.concrete_fields
            if f.editable and not f.primary_key and not f.is_relation
        ]
        self.lengths = [  # a choice is as long as its choices allow: no need to measure it
            (f.attname, f.max_length)
            for f in fields
            if isinstance(f, models.CharField) and f.max_length and not f.choices
        ]
        self.choices = [
            (f.attname, frozenset(value for value, _label in f.flatchoices) | blank)
            for f in fields
            if f.choices
            for blank in [frozenset({""}) if f.blank else frozenset()]
        ]
        self.required = [
            f.attname
            for f in fields
            if isinstance(f, (models.CharField, models.TextField)) and not f.blank and not f.choices
        ]
        self.allowed = dict(self.choices)
        # Numbers with a fixed precision (prices, amounts): the field's own validators.
        self.decimals = [f.attname for f in fields if isinstance(f, models.DecimalField)]
        # Codes and keys (letters, digits, hyphens, underscores): the field's own validator.
        self.slugs = [f.attname for f in fields if isinstance(f, models.SlugField)]
        self.fields = {f.attname: f for f in fields}

    def check(self, instance: models.Model) -> None:
        """Raise ValidationFailed for the first field of ``instance`` that breaks its rule."""
        self.check_values(instance.__dict__)

    def check_every(self, instance: models.Model, problems: "FieldProblems") -> None:
        """Every field of ``instance`` that breaks its rule, added to ``problems`` (a field
        already there is not checked again). The fast check first: a valid instance
        costs what ``check`` costs; an invalid one is checked again field by field."""
        try:
            self.check(instance)
        except ValidationFailed:
            values = instance.__dict__
            for name in self.fields:
                if name in values and self.fields[name].name not in problems.errors:
                    problems.attempt(self.check_values, {name: values[name]})

    def check_values(self, values: Mapping[str, Any]) -> None:
        """The same for plain values by attname (a missing name is not checked)."""
        get = values.get
        for name in self.required:
            if not get(name, True):
                self._fail(name, get(name))
        for name, limit in self.lengths:
            value = get(name)
            if value is not None and len(value) > limit:
                self._fail(name, value)
        for name, allowed in self.choices:
            value = get(name, "")
            if value not in allowed and name in values:
                self._fail(name, value)
        for name in self.decimals:
            if get(name) is not None:
                self._clean(name, values[name])
        for name in self.slugs:
            if get(name):
                self._clean(name, values[name])

    def check_choice(self, name: str, value: Any) -> None:
        """One choice field alone (a value that must be known before the rest is built)."""
        if value not in self.allowed[name]:
            self._fail(name, value)

    def _clean(self, name: str, value: Any) -> None:
        field = self.fields[name]
        try:
            field.clean(value, None)
        except DjangoValidationError as exc:
            raise field_error(self.model, field.name, exc.messages[0]) from None

    def _fail(self, name: str, value: Any) -> None:
        self._clean(name, value)
        raise field_error(self.model, self.fields[name].name, _("Invalid value."))


class FieldProblems:
    """Every field's problem of one write, raised together as one ValidationFailed
    (``errors``: field → messages, what the API's 422 and a form show per field;
    ``field``: the first field at fault; the message: every problem, one after the
    other)."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}
        self.messages: list[str] = []

    def add(self, error: ValidationFailed) -> None:
        errors = error.errors or {error.field or NON_FIELD_ERRORS: [str(error.message)]}
        for name, messages in errors.items():
            self.errors.setdefault(name, []).extend(str(m) for m in messages)
        self.messages.append(str(error.message))

    def attempt(self, check: Any, *args: Any, **kwargs: Any) -> Any:
        """``check(*args, **kwargs)``, its ValidationFailed kept (then None)."""
        try:
            return check(*args, **kwargs)
        except ValidationFailed as exc:
            self.add(exc)
            return None

    def raise_any(self, order: Sequence[str] = ()) -> None:
        """Raise them, if any; the fields named in ``order`` (a form's) first, in it."""
        if self.errors:
            place = {name: index for index, name in enumerate(order)}
            ranked = sorted(self.errors, key=lambda name: place.get(name, len(place)))
            self.errors = {name: self.errors[name] for name in ranked}
            first = ranked[0]
            raise ValidationFailed(
                " ".join(self.messages),
                field=None if first == NON_FIELD_ERRORS else first,
                errors=self.errors,
            )


@cache
def rules_for(model: type[models.Model]) -> FieldRules:
    return FieldRules(model)


def max_length(model: type[models.Model], name: str) -> int | None:
    """A text field's limit, read from the model (for a form's or a schema's hint)."""
    return cast(models.Field, model._meta.get_field(name)).max_length


def text_field(model: type[models.Model], name: str, default: Any = ..., **kwargs: Any) -> Any:
    """A ninja/pydantic schema field for a model's text field: its limit is documented in
    the OpenAPI schema but not enforced there, so a too-long value reaches the service and
    gets the same error as on every other path."""
    return Field(default, json_schema_extra={"maxLength": max_length(model, name)}, **kwargs)


def model_clean(instance: models.Model, *, exclude: Iterable[str] = ()) -> None:
    """The model's own ``full_clean`` (fields, validators, ``clean()``) for a write where
    its few queries do not matter (the staff screens), its first error as
    ValidationFailed on the field it names. Uniqueness is left to the caller, which
    words it (and usually ignores case)."""
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False)
    except DjangoValidationError as exc:
        name, messages = next(iter(exc.message_dict.items()))
        if name == NON_FIELD_ERRORS:
            raise ValidationFailed(messages[0]) from None
        raise field_error(type(instance), name, messages[0]) from None
