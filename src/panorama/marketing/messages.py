"""Message templates: merge fields and conditional blocks, checked when saved.

The language is a small subset of Django's: ``{{ first_name }}``, ``{{ custom.tier }}``,
``{% if "CARD-CR" in products %}…{% else %}…{% endif %}``, ``{% if language == "en" %}``,
and the ``default`` / ``upper`` / ``lower`` / ``title`` filters. Any other tag (``load``,
``include``, ``url``…) and any variable outside ``MERGE_FIELDS`` is refused at save with
the field named, so a message never goes out with a hole where a name should be.
"""

from dataclasses import dataclass
from typing import Any

from django.template import Context, Engine, Template, TemplateSyntaxError
from django.template.base import FilterExpression, Node, TextNode, VariableNode
from django.template.defaulttags import IfNode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from panorama.core.exceptions import ValidationFailed
from panorama.customers.models import Customer, CustomFieldDefinition

MERGE_FIELDS = {
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "name": gettext_lazy("Full name or company"),
    "language": gettext_lazy("Language (es/en)"),
    "city": gettext_lazy("City"),
    "products": gettext_lazy("Codes of the products held (for conditions)"),
    "categories": gettext_lazy("Categories of the products held (for conditions)"),
    "custom": gettext_lazy("Custom fields: custom.<key>"),
    "unsubscribe_url": gettext_lazy("The unsubscribe link"),
}
ALLOWED_FILTERS = {"default", "upper", "lower", "title", "capfirst"}

# No autoescape: the text part is plain text; the HTML part is escaped as a whole.
_ENGINE = Engine(autoescape=False, string_if_invalid="", libraries={})


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    language: str


def _expressions(node) -> list[FilterExpression]:
    """The filter expressions a node reads: a variable's, or every operand of an if."""
    if isinstance(node, VariableNode):
        return [node.filter_expression]
    found: list[FilterExpression] = []
    if isinstance(node, IfNode):
        for condition, _nodelist in node.conditions_nodelists:
            stack = [condition]
            while stack:
                item = stack.pop()
                if item is None:
                    continue
                operand = getattr(item, "value", None)
                if isinstance(operand, FilterExpression):
                    found.append(operand)
                stack.extend(
                    x for x in (getattr(item, "first", None), getattr(item, "second", None))
                )
    return found


def check(source: str, *, field: str, custom_keys: set[str] | None = None) -> Template:
    """The compiled template, or ``ValidationFailed`` on ``field`` naming what is wrong."""
    try:
        template = Template(source, engine=_ENGINE)
    except TemplateSyntaxError as exc:
        raise ValidationFailed(
            _("The message does not parse: %(error)s") % {"error": exc}, field=field
        ) from None
    if custom_keys is None:
        custom_keys = set(CustomFieldDefinition.objects.values_list("key", flat=True))
    for node in template.nodelist.get_nodes_by_type(Node):  # every node, nested too
        if not isinstance(node, TextNode | VariableNode | IfNode):
            token = getattr(node, "token", None)
            raise ValidationFailed(
                _("Only merge fields and if/else blocks are allowed in a message, not %(tag)s.")
                % {"tag": token.contents if token is not None else type(node).__name__},
                field=field,
            )
        for expression in _expressions(node):
            for func, _args in expression.filters:
                if func.__name__ not in ALLOWED_FILTERS:
                    raise ValidationFailed(
                        _("Unknown filter %(filter)s.") % {"filter": func.__name__}, field=field
                    )
            var = expression.var
            if not hasattr(var, "var"):  # a literal ("CARD-CR")
                continue
            if var.literal is not None:
                continue
            parts = var.var.split(".")
            if parts[0] not in MERGE_FIELDS:
                raise ValidationFailed(
                    _("Unknown merge field %(name)s.") % {"name": var.var}, field=field
                )
            if parts[0] == "custom" and (len(parts) != 2 or parts[1] not in custom_keys):
                raise ValidationFailed(
                    _("Unknown merge field %(name)s: no such custom field.") % {"name": var.var},
                    field=field,
                )
    return template


def context_for(
    customer: Customer,
    *,
    products: list[str],
    categories: list[str],
    city: str = "",
    unsubscribe_url: str = "",
) -> dict[str, Any]:
    return {
        "first_name": customer.first_name or customer.display_name,
        "last_name": customer.last_name,
        "name": customer.display_name,
        "language": language_of(customer),
        "city": city,
        "products": products,
        "categories": categories,
        "custom": customer.custom_fields or {},
        "unsubscribe_url": unsubscribe_url,
    }


def language_of(customer: Customer) -> str:
    return "en" if (customer.language or "").lower().startswith("en") else "es"


class Compiled:
    """A template's four texts compiled once, rendered for many customers."""

    def __init__(self, template) -> None:
        keys = set(CustomFieldDefinition.objects.values_list("key", flat=True))
        self.subject_es = check(template.subject_es, field="subject_es", custom_keys=keys)
        self.body_es = check(template.body_es, field="body_es", custom_keys=keys)
        self.has_en = bool(template.subject_en.strip() and template.body_en.strip())
        if self.has_en:
            self.subject_en = check(template.subject_en, field="subject_en", custom_keys=keys)
            self.body_en = check(template.body_en, field="body_en", custom_keys=keys)

    def render(self, context: dict[str, Any]) -> Rendered:
        language = "en" if context.get("language") == "en" and self.has_en else "es"
        subject_t, body_t = (
            (self.subject_en, self.body_en) if language == "en" else (self.subject_es, self.body_es)
        )
        ctx = Context(context, autoescape=False)
        subject = " ".join(subject_t.render(ctx).split())  # one line, no header injection
        return Rendered(subject=subject, body=body_t.render(ctx).strip(), language=language)
