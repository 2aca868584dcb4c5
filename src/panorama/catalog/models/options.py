"""Options of a configurable product, their groups ("choose N of") and the rules between
them (requires / excludes / includes). A bundle is a product whose options name other
catalogue products (``ProductOption.component``) and come included."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .products import Product


class OptionGroup(models.Model):
    """A set of options of which the customer chooses between ``min_choices`` and
    ``max_choices`` (empty: no upper limit), e.g. "Velocidad: elige 1"."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="option_groups", verbose_name=_("product")
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    min_choices = models.PositiveSmallIntegerField(_("at least"), default=0)
    max_choices = models.PositiveSmallIntegerField(_("at most"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("option group")
        verbose_name_plural = _("option groups")
        ordering = ["product", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "code"], name="option_group_code_unique"),
            models.CheckConstraint(
                condition=Q(max_choices__isnull=True) | Q(max_choices__gte=F("min_choices")),
                name="option_group_max_not_below_min",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProductOption(models.Model):
    """Something that can be added to a product, at ``price`` more per unit (in the
    product's currency). ``included``: always part of the product, at no charge."""

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="options", verbose_name=_("product")
    )
    group = models.ForeignKey(
        OptionGroup,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="options",
        verbose_name=_("group"),
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    price = models.DecimalField(
        _("price"),
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    included = models.BooleanField(_("included"), default=False)
    component = models.ForeignKey(
        Product,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("component product"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["product", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "code"], name="option_code_unique"),
            models.CheckConstraint(condition=Q(price__gte=0), name="option_price_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.group_id and self.group and self.group.product_id != self.product_id:
            raise ValidationError({"group": _("The group belongs to another product.")})


class OptionRule(models.Model):
    """``option`` requires / excludes / includes ``target`` (both of one product)."""

    class Kind(models.TextChoices):
        REQUIRES = "requires", _("requires")
        EXCLUDES = "excludes", _("excludes")
        INCLUDES = "includes", _("includes")

    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="option_rules", verbose_name=_("product")
    )
    option = models.ForeignKey(
        ProductOption, on_delete=models.CASCADE, related_name="rules", verbose_name=_("option")
    )
    kind = models.CharField(_("rule"), max_length=10, choices=Kind.choices)
    target = models.ForeignKey(
        ProductOption, on_delete=models.CASCADE, related_name="+", verbose_name=_("other option")
    )

    class Meta:
        verbose_name = _("option rule")
        verbose_name_plural = _("option rules")
        ordering = ["product", "id"]
        constraints = [
            models.UniqueConstraint(fields=["option", "kind", "target"], name="option_rule_unique"),
            models.CheckConstraint(
                condition=~Q(option=F("target")), name="option_rule_not_on_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.option} {self.get_kind_display()} {self.target}"

    def clean(self) -> None:
        for name in ("option", "target"):
            linked = getattr(self, name, None)
            if linked is not None and linked.product_id != self.product_id:
                raise ValidationError({name: _("The option belongs to another product.")})
