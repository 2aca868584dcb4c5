"""Reads of analytics data, scoped like the customers they belong to."""

from django.db.models import Count, Max, OuterRef, Subquery, Sum
from django.utils.translation import gettext as _

from panorama.accounts.models import User
from panorama.accounts.permissions import ensure_can
from panorama.core.exceptions import NotFound
from panorama.customers.models import Customer
from panorama.customers.selectors import customer_get, scope_filter

from .mining.cluster import FEATURE_LABELS, TRAITS, cluster_name
from .models import CustomerScore, ModelRun, Purchase, PurchaseImport


def score_for_panel(*, customer, user) -> list[dict]:
    """The customer's scores and purchase history summary for the ficha, in one query
    (his score row joined, the history's count, spend and last date as subqueries): one
    item, or none when no model has scored him and he has no imported order."""
    mine = Purchase.objects.filter(customer=OuterRef("pk")).order_by().values("customer")
    row = (
        Customer.objects.filter(pk=customer.pk)
        .select_related("score")
        .annotate(
            history_orders=Subquery(mine.annotate(n=Count("id")).values("n")),
            history_spend=Subquery(mine.annotate(s=Sum("amount")).values("s")),
            history_last=Subquery(mine.annotate(d=Max("ordered_on")).values("d")),
        )
        .only("pk", *(f"score__{f.name}" for f in CustomerScore._meta.concrete_fields))
        .first()
    )
    if row is None:
        return []
    try:
        score = row.score  # the reverse one-to-one
    except CustomerScore.DoesNotExist:
        score = None
    history = {
        "orders": row.history_orders or 0,
        "spend": row.history_spend,
        "last": row.history_last,
    }
    if score is None and not history["orders"]:
        return []
    return [{"score": score, "history": history}]


def customer_score_get(*, user: User, customer_id: int) -> dict:
    """A customer's scores, for a user who sees the customer (404 otherwise)."""
    customer = customer_get(user=user, customer_id=customer_id)
    data = score_for_panel(customer=customer, user=user)
    score = data[0]["score"] if data else None
    history = data[0]["history"] if data else {"orders": 0, "spend": None, "last": None}
    return {"customer_id": customer.pk, "score": score, "history": history}


def purchase_import_get(*, user: User, job_id: int) -> PurchaseImport:
    """An import, for the user who ran it (or a superuser)."""
    job = PurchaseImport.objects.filter(pk=job_id).first()
    if job is None or not (user.is_superuser or job.started_by_id == user.pk):
        raise NotFound(_("Import %(id)s does not exist or is not yours.") % {"id": job_id})
    return job


def segment_counts(*, user: User) -> list[dict]:
    """Customers per RFM segment among those ``user`` sees."""
    rows = (
        CustomerScore.objects.filter(scope_filter(user, "customer__"))
        .exclude(rfm_segment="")
        .values("rfm_segment")
        .annotate(customers=Count("customer"))
        .order_by("rfm_segment")
    )
    return list(rows)


def model_run_latest(*, user: User, kind: str) -> ModelRun:
    """The latest card of a model, for those who run the models (404 when none ran)."""
    ensure_can(user, "analytics.run_models")
    run = ModelRun.objects.filter(kind=kind).order_by("-id").first()
    if run is None:
        raise NotFound(_("The model %(kind)s has not run yet.") % {"kind": kind})
    return run


def purchase_import_list(*, user: User, limit: int = 20) -> list[PurchaseImport]:
    """The user's own latest order history imports (a superuser's: everyone's)."""
    qs = PurchaseImport.objects.defer("errors", "headers").order_by("-id")
    if not user.is_superuser:
        qs = qs.filter(started_by=user)
    return list(qs[:limit])


def clusters_overview(*, user: User) -> dict | None:
    """The latest clustering for those who run the models: its card, each profile with
    its readable name and traits, and how many of the customers ``user`` sees are in it
    (one query). None when the clustering has not run."""
    ensure_can(user, "analytics.run_models")
    run = ModelRun.objects.filter(kind=ModelRun.Kind.CLUSTER).order_by("-id").first()
    if run is None:
        return None
    visible = dict(
        CustomerScore.objects.filter(scope_filter(user, "customer__"))
        .exclude(cluster=None)
        .values_list("cluster")
        .annotate(n=Count("customer"))
        .order_by()
    )
    card = run.card
    profiles = []
    for profile in card.get("clusters", []):
        profiles.append(
            {
                **profile,
                "name": cluster_name(profile.get("traits", [])),
                "visible": visible.get(profile["cluster"], 0),
                "percent": round(profile.get("share", 0) * 100, 1),
                "means_list": [profile["means"].get(f) for f in card.get("features", [])],
                "traits_shown": [
                    {
                        "label": str(TRAITS[(t["feature"], t["direction"])]),
                        "feature": str(FEATURE_LABELS[t["feature"]]),
                        "z": t["z"],
                    }
                    for t in profile.get("traits", [])
                ],
            }
        )
    return {"run": run, "card": card, "profiles": profiles}
