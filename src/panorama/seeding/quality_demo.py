"""The demo's quality data: defects of the catalogue's devices over the last months,
some linked to the cases that revealed them, and satisfaction answers on resolved
cases, so that the defect report and the service reports have figures to show."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from panorama.catalog.models import Product
from panorama.service.models import Case, CaseSurvey, Defect

# sku, title, version, component, severity, status, months ago
DEFECTS = [
    (
        "RT-WIFI6",
        "Se reinicia al calentarse",
        "2.1",
        "Fuente de alimentación",
        "major",
        "confirmed",
        0,
    ),
    ("RT-WIFI6", "La banda de 5 GHz se cae por la noche", "2.1", "Firmware", "critical", "new", 0),
    ("RT-WIFI6", "El LED de estado no se apaga", "2.0", "Carcasa", "minor", "fixed", 1),
    ("RT-WIFI6", "Pierde la configuración tras un corte", "2.0", "Firmware", "major", "closed", 2),
    ("RT-MESH", "Los satélites no se emparejan", "1.4", "Firmware", "major", "confirmed", 1),
    ("RT-MESH", "Ruido del ventilador", "1.3", "Ventilador", "minor", "rejected", 3),
    ("MOV-SMART", "La batería se hincha", "A2", "Batería", "critical", "fixed", 2),
    ("MOV-SMART", "La cámara trasera desenfoca", "A2", "Cámara", "minor", "new", 0),
    ("MOV-TABLET", "La pantalla parpadea", "T1", "Pantalla", "major", "confirmed", 4),
    ("TPV-MOVIL", "No imprime el ticket con poca batería", "3.2", "Impresora", "major", "fixed", 5),
]


def _months_ago(today: datetime.date, months: int, day: int) -> datetime.date:
    year, month = today.year, today.month - months
    while month < 1:
        year, month = year - 1, month + 12
    return datetime.date(year, month, min(day, 28))


def quality_demo_ensure(seed: int = 11) -> int:
    """Add the demo defects (once) and satisfaction answers to resolved cases that have
    none. Returns how many defects were added."""
    if Defect.objects.exists():
        return 0
    rng = random.Random(seed)
    today = timezone.localdate()
    products = dict(
        Product.objects.filter(sku__in={d[0] for d in DEFECTS}).values_list("sku", "pk")
    )
    cases = list(Case.objects.order_by("id").values_list("pk", flat=True)[:60])
    made = 0
    with transaction.atomic():
        for i, (sku, title, version, component, severity, status, ago) in enumerate(DEFECTS):
            if sku not in products:
                continue
            defect = Defect.objects.create(
                product_id=products[sku],
                title=title,
                version=version,
                component=component,
                severity=severity,
                status=status,
                fixed_in=f"{version}.1" if status in ("fixed", "closed") else "",
                found_on=_months_ago(today, ago, 3 + 5 * i),
            )
            defect.reference = f"D-{defect.pk:06d}"
            defect.save(update_fields=["reference"])
            linked = rng.sample(cases, k=min(len(cases), rng.randint(0, 3)))
            if linked:
                Case.objects.filter(pk__in=linked).update(product_id=products[sku])
                defect.cases.add(*linked)
            made += 1
        resolved = Case.objects.filter(status__in=("resolved", "closed"), survey__isnull=True)
        CaseSurvey.objects.bulk_create(
            [
                CaseSurvey(case_id=pk, score=rng.choice((2, 3, 4, 4, 5, 5, 5)))
                for pk in resolved.values_list("pk", flat=True)
                if rng.random() < 0.6
            ]
        )
    return made
