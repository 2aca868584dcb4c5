"""The merge fields of an e-mail template: ``{{ customer.first_name }}``, ``{{ user.
get_full_name }}``. Django renders an unknown name as nothing, so a typo would reach the
customer as a gap; every name is checked when the template is saved or previewed, and
the first unknown one is refused by name."""

from collections.abc import Iterator
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.template import Template, TemplateSyntaxError
from django.template.base import FilterExpression, Node, VariableNode
from django.template.defaulttags import ForNode, IfNode, WithNode
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.core.exceptions import ValidationFailed
from panorama.customers.models import Customer

ROOTS = {"customer": Customer, "user": User}
# Never in a message: secrets and what only the system reads.
HIDDEN = ("password", "hash", "sealed", "secret", "token")


def _lookups(expression: FilterExpression) -> Iterator[tuple[str, ...]]:
    var = getattr(expression.var, "lookups", None)
    if var:
        yield tuple(var)
    for _func, args in expression.filters:
        for is_lookup, arg in args:
            if is_lookup and getattr(arg, "lookups", None):
                yield tuple(arg.lookups)


def _condition(condition) -> Iterator[tuple[str, ...]]:
    if condition is None:
        return
    if isinstance(getattr(condition, "value", None), FilterExpression):
        yield from _lookups(condition.value)
    for side in ("first", "second"):
        if getattr(condition, side, None) is not None:
            yield from _condition(getattr(condition, side))


def _names(nodes, local: frozenset[str]) -> Iterator[tuple[tuple[str, ...], frozenset[str]]]:
    for node in nodes:
        if isinstance(node, VariableNode):
            yield from ((n, local) for n in _lookups(node.filter_expression))
        elif isinstance(node, IfNode):
            for condition, nodelist in node.conditions_nodelists:
                yield from ((n, local) for n in _condition(condition))
                yield from _names(nodelist, local)
        elif isinstance(node, ForNode):
            if isinstance(node.sequence, FilterExpression):
                yield from ((n, local) for n in _lookups(node.sequence))
            inner = local | set(node.loopvars) | {"forloop"}
            yield from _names(node.nodelist_loop, frozenset(inner))
            yield from _names(node.nodelist_empty, local)
        elif isinstance(node, WithNode):
            for value in node.extra_context.values():
                yield from ((n, local) for n in _lookups(value))
            yield from _names(node.nodelist, local | frozenset(node.extra_context))
        elif isinstance(node, Node):
            for attr in node.child_nodelists:
                yield from _names(getattr(node, attr, None) or [], local)


def _known(lookups: tuple[str, ...]) -> bool:
    model: Any = ROOTS.get(lookups[0])
    if model is None:
        return False
    for name in lookups[1:]:
        if name.startswith("_") or any(word in name for word in HIDDEN):
            return False
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return hasattr(model, name)  # a property or a method: its own result
        if not field.is_relation or field.one_to_many or field.many_to_many:
            return True
        model = field.related_model
    return True


def merge_fields_check(text: str, *, field: str) -> None:
    """``ValidationFailed`` on ``field`` for a template that does not parse or names a
    merge field that does not exist (``customer.frist_name``)."""
    try:
        nodes = Template(text or "").nodelist
    except TemplateSyntaxError as exc:
        raise ValidationFailed(
            _("The template is not valid: %(error)s") % {"error": exc}, field=field
        ) from exc
    for lookups, local in _names(nodes, frozenset()):
        if lookups[0] in local:
            continue
        if not _known(lookups):
            raise ValidationFailed(
                _(
                    "%(name)s is not a merge field: use customer.<field> or user.<field>, "
                    "e.g. {{ customer.first_name }}."
                )
                % {"name": ".".join(lookups)},
                field=field,
            )
