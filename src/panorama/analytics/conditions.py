"""The scores as conditions: fields of the marketing segment builder (compiled into the
segment's one query through the customer's ``score`` row) and of the automation rules
(``score.<field>``, read with one query when a rule reaches one). Registered from
``ready()``: marketing and automation know nothing of analytics."""

from django.utils.translation import gettext_lazy as _

from .mining.cluster import cluster_name
from .mining.rfm import SEGMENTS
from .models import CustomerScore, ModelRun

# name → (label, segment value type, column on CustomerScore)
SCORE_FIELDS = {
    "rfm_segment": (_("RFM segment"), "choice"),
    "cluster": (_("Cluster"), "choice"),
    "churn_risk": (_("Churn probability (0 to 1)"), "decimal"),
    "clv": (_("Predicted lifetime value"), "decimal"),
    "p_alive": (_("Probability alive (0 to 1)"), "decimal"),
    "expected_purchases": (_("Expected purchases (next year)"), "decimal"),
    "recency_days": (_("Days since last purchase"), "integer"),
    "frequency": (_("Purchases"), "integer"),
    "monetary": (_("Spend"), "decimal"),
    "next_best_offer": (_("Next best offer"), "text"),
}


def rfm_choices() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, label in SEGMENTS.items()]


def cluster_choices() -> list[tuple[str, str]]:
    """The clusters of the latest run, as "number · name"."""
    run = ModelRun.objects.filter(kind=ModelRun.Kind.CLUSTER).order_by("-id").first()
    if run is None:
        return []
    return [
        (str(p["cluster"]), f"{p['cluster']} · {cluster_name(p.get('traits', []))}")
        for p in run.card.get("clusters", [])
    ]


def score_values(customer) -> dict:
    """A customer's scores for a rule (numbers as floats, the cluster as its number)."""
    row = CustomerScore.objects.filter(customer_id=customer.pk).values(*SCORE_FIELDS).first()
    if row is None:
        return {}
    return {
        k: float(v) if k in ("clv", "monetary") and v is not None else v for k, v in row.items()
    }


def score_values_many(customer_ids: list[int]) -> dict[int, dict]:
    """The scores of many customers in one query (a batch of events, a daily rule)."""
    rows = CustomerScore.objects.filter(customer_id__in=customer_ids).values(
        "customer_id", *SCORE_FIELDS
    )
    return {
        row.pop("customer_id"): {
            k: float(v) if k in ("clv", "monetary") and v is not None else v for k, v in row.items()
        }
        for row in rows
    }


def register() -> None:
    from panorama.automation.conditions import namespace_register
    from panorama.marketing import rules

    class NumberChoice(rules.Field):
        """A number picked from a list (the cluster): no "is empty" test comparing the
        number column with an empty text; "is not" keeps the unclustered)."""

        @property
        def ops(self) -> list[str]:
            return ["eq", "ne", "in"]

    choices = {"rfm_segment": rfm_choices, "cluster": cluster_choices}
    for name, (label, kind) in SCORE_FIELDS.items():
        field_class = NumberChoice if name == "cluster" else rules.Field
        rules.field_register(
            field_class(
                f"score.{name}",
                label,
                kind,
                choices.get(name),
                column=f"score__{name}",
            )
        )
    namespace_register(
        "score", fields=tuple(SCORE_FIELDS), load=score_values, load_many=score_values_many
    )
