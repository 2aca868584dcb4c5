"""Message templates: merge fields and conditional blocks, checked when saved.

The language is a small subset of Django's: ``{{ first_name }}``, ``{{ custom.tier }}``,
``{% if "CARD-CR" in products %}…{% else %}…{% endif %}``, ``{% if language == "en" %}``,
and the ``default`` / ``upper`` / ``lower`` / ``title`` filters. Any other tag (``load``,
``include``, ``url``…) and any variable outside ``MERGE_FIELDS`` is refused at save with
the field named, so a message never goes out with a hole where a name should be.

Conditional blocks test three lists, each with a quoted name: ``{% if "Gold" in segments
%}`` (the customer is in the segment of that name now), ``{% if "marketing:email" in
consents %}`` (his newest decision for that purpose, on that channel, is a yes; the
channel is optional) and ``{% if "CARD-CR" in products %}`` (he holds that product). An
unknown segment, purpose, channel or product is refused at save, named. At send time the
lists hold only the names the template tests, computed for a whole batch of recipients at
once: one query per segment and per consent named (``services.sending.customer_context``).
"""

from dataclasses import dataclass
from typing import Any

from django.template import Context, Engine, Template, TemplateSyntaxError
from django.template.base import FilterExpression, Node, TextNode, VariableNode
from django.template.defaulttags import IfNode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from panorama.core.exceptions import ValidationFailed
from panorama.customers.models import Consent, Customer, CustomFieldDefinition, Holding

MERGE_FIELDS = {
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "name": gettext_lazy("Full name or company"),
    "language": gettext_lazy("Language (es/en)"),
    "city": gettext_lazy("City"),
    "products": gettext_lazy("Codes of the products held (for conditions)"),
    "categories": gettext_lazy("Categories of the products held (for conditions)"),
    "segments": gettext_lazy("Segments the customer is in (for conditions, by name)"),
    "consents": gettext_lazy("Consents given, purpose:channel (for conditions)"),
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


# The lists a conditional block may test with a quoted name, checked at save.
TESTED_LISTS = ("segments", "consents", "products")


def tested_names(template: Template) -> list[tuple[str, str | None]]:
    """(list, quoted name) of every ``"x" in list`` / ``not in`` of the template's if
    blocks on ``TESTED_LISTS``; the name is None when it is not a quoted text."""
    found: list[tuple[str, str | None]] = []
    for node in template.nodelist.get_nodes_by_type(IfNode):
        for condition, _nodelist in node.conditions_nodelists:  # type: ignore[attr-defined]
            stack = [condition]
            while stack:
                item = stack.pop()
                if item is None:
                    continue
                if getattr(item, "id", None) in ("in", "not in"):
                    left = getattr(item.first, "value", None)
                    right = getattr(item.second, "value", None)
                    listed = getattr(getattr(right, "var", None), "var", None)
                    if isinstance(right, FilterExpression) and listed in TESTED_LISTS:
                        name = getattr(left, "var", None) if left is not None else None
                        found.append((listed, name if isinstance(name, str) else None))
                stack.extend((getattr(item, "first", None), getattr(item, "second", None)))
    return found


def consent_key(text: str) -> tuple[str, str] | None:
    """``"marketing:email"`` as (purpose, channel); ``"marketing"`` is any channel."""
    purpose, _sep, channel = text.partition(":")
    channel = channel or Consent.Channel.ANY
    if purpose in Consent.Purpose.values and channel in Consent.Channel.values:
        return purpose, channel
    return None


def _known_product(code: str) -> bool:
    from panorama.catalog.models import Product

    return (
        Holding.objects.filter(product_code=code).exists()
        or Product.objects.filter(sku=code).exists()
    )


# What ``context_for`` reads of a customer.
CONTEXT_FIELDS = ("pk", "first_name", "last_name", "display_name", "language", "custom_fields")


def context_for(
    customer: Customer,
    *,
    products: list[str],
    categories: list[str],
    city: str = "",
    unsubscribe_url: str = "",
    segments: list[str] | None = None,
    consents: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "first_name": customer.first_name or customer.display_name,
        "last_name": customer.last_name,
        "name": customer.display_name,
        "language": language_of(customer),
        "city": city,
        "products": products,
        "categories": categories,
        "segments": segments or [],
        "consents": consents or [],
        "custom": customer.custom_fields or {},
        "unsubscribe_url": unsubscribe_url,
    }


def language_of(customer: Customer) -> str:
    return "en" if (customer.language or "").lower().startswith("en") else "es"


class Compiled:
    """A template's four texts compiled once, rendered for many customers.

    ``segments`` (name → segment) and ``consents`` (the "purpose:channel" texts) are what
    its conditional blocks test, for ``customer_context`` to compute per batch. With
    ``saving``, a product code no holding and no catalogue product has is refused too (at
    send time a product may have gone: the block is then simply false)."""

    def __init__(self, template, *, saving: bool = False) -> None:
        keys = set(CustomFieldDefinition.objects.values_list("key", flat=True))
        self.segments: dict[str, Any] = {}
        self.consents: set[str] = set()
        self.subject_es = self._check(template.subject_es, "subject_es", keys, saving)
        self.body_es = self._check(template.body_es, "body_es", keys, saving)
        self.has_en = bool(template.subject_en.strip() and template.body_en.strip())
        if self.has_en:
            self.subject_en = self._check(template.subject_en, "subject_en", keys, saving)
            self.body_en = self._check(template.body_en, "body_en", keys, saving)

    def _check(self, source: str, field: str, keys: set[str], saving: bool) -> Template:
        from .models import Segment

        template = check(source, field=field, custom_keys=keys)
        for listed, name in tested_names(template):
            if name is None:
                raise ValidationFailed(
                    _('In a condition on %(list)s, name it in quotes: "…" in %(list)s.')
                    % {"list": listed},
                    field=field,
                )
            if listed == "segments" and name not in self.segments:
                found = list(Segment.objects.filter(name=name)[:2])
                if len(found) != 1:
                    raise ValidationFailed(
                        (
                            _("No segment is named %(name)s.")
                            if not found
                            else _("Two segments are named %(name)s: rename one.")
                        )
                        % {"name": name},
                        field=field,
                    )
                self.segments[name] = found[0]
            elif listed == "consents":
                if consent_key(name) is None:
                    raise ValidationFailed(
                        _(
                            "Unknown consent %(name)s: write purpose:channel, e.g. "
                            "marketing:email (purposes %(purposes)s; channels %(channels)s)."
                        )
                        % {
                            "name": name,
                            "purposes": ", ".join(Consent.Purpose.values),
                            "channels": ", ".join(Consent.Channel.values),
                        },
                        field=field,
                    )
                self.consents.add(name)
            elif listed == "products" and saving and not _known_product(name):
                raise ValidationFailed(
                    _("No product has the code %(name)s.") % {"name": name}, field=field
                )
        return template

    def render(self, context: dict[str, Any]) -> Rendered:
        language = "en" if context.get("language") == "en" and self.has_en else "es"
        subject_t, body_t = (
            (self.subject_en, self.body_en) if language == "en" else (self.subject_es, self.body_es)
        )
        ctx = Context(context, autoescape=False)
        subject = " ".join(subject_t.render(ctx).split())  # one line, no header injection
        return Rendered(subject=subject, body=body_t.render(ctx).strip(), language=language)
