"""Which sales scripts fit: ``scripts_for`` picks the active scripts whose product,
segment, stage and language (each optional on the script) match what the rep is
working on. Every script is configuration, visible to every staff user."""

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from panorama.catalog.segments import customer_segments
from panorama.core.exceptions import NotFound

from .models import Activity, Opportunity, OpportunityProduct, Script

MAX_SCRIPTS = 10


def scripts_all() -> QuerySet[Script]:
    return Script.objects.select_related("product", "stage", "stage__pipeline").order_by(
        "-active", "title", "id"
    )


def script_get(*, script_id: int) -> Script:
    script = scripts_all().filter(pk=script_id).first()
    if script is None:
        raise NotFound(_("Script %(id)s does not exist.") % {"id": script_id})
    return script


def _matching(
    *,
    product_ids,
    segments: frozenset[str],
    stage_ids,
    language: str,
) -> list[Script]:
    qs = Script.objects.filter(active=True)
    qs = qs.filter(Q(product__isnull=True) | Q(product_id__in=product_ids))
    qs = qs.filter(Q(segment="") | Q(segment__in=segments))
    qs = qs.filter(Q(stage__isnull=True) | Q(stage_id__in=stage_ids))
    if language:
        qs = qs.filter(language__in=["", language])
    scripts = list(qs.select_related("product", "stage").order_by("title", "id")[:200])
    # The most specific first: a script for this product, segment and stage before a
    # general one.
    scripts.sort(
        key=lambda s: -((s.product_id is not None) + bool(s.segment) + (s.stage_id is not None))
    )
    return scripts[:MAX_SCRIPTS]


def scripts_for(
    *,
    opportunity: Opportunity | None = None,
    customer=None,
    activity: Activity | None = None,
    language: str = "",
) -> list[Script]:
    """The scripts that fit an opportunity (its products, its stage, its customer's
    segments), a customer (his segments and his open opportunities' stages and products)
    or an agenda item (its opportunity, else its customer). ``language``: only scripts
    in that language or in none. One query for a customer (two for an opportunity
    whose lines are not prefetched)."""
    if activity is not None:
        opportunity = opportunity or activity.opportunity
        customer = customer or activity.customer
    stage_ids: Any
    product_ids: Any
    if opportunity is not None:
        customer = customer or opportunity.customer
        stage_ids = {opportunity.stage_id}
        product_ids = {line.product_id for line in opportunity.lines.all()}
    elif customer is not None:
        # Subqueries: the whole pick is one statement.
        open_ones = Opportunity.objects.filter(customer=customer, status=Opportunity.Status.OPEN)
        stage_ids = open_ones.values("stage_id")
        product_ids = OpportunityProduct.objects.filter(opportunity__in=open_ones).values(
            "product_id"
        )
    else:
        stage_ids, product_ids = set(), set()
    segments = customer_segments(customer)
    return _matching(
        product_ids=product_ids,
        segments=segments,
        stage_ids=stage_ids,
        language=(language or getattr(customer, "language", "") or "")[:2].lower(),
    )
