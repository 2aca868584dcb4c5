"""Demo leads: scoring and assignment rules, a web form, and a few hundred leads in every
status, captured through the lead services so the rules score and assign them as in
real use (``panorama demo``)."""

import random

from django.db import transaction

from panorama.accounts.models import Team, User
from panorama.customers.identifiers import fold
from panorama.sales.models import (
    AssignmentRule,
    Lead,
    LeadActivity,
    Pipeline,
    ScoringRule,
    WebForm,
)
from panorama.sales.services.lead import (
    lead_activity_record,
    lead_create,
    lead_status_change,
    lead_update,
)
from panorama.sales.services.lead_convert import lead_convert

from .data import CITIES, COMPANY_SUFFIXES_ES, COMPANY_WORDS_ES, ES_FEMALE, ES_MALE, ES_SURNAMES

DEMO_LEADS = 300
TITLES = (
    "Director de compras",
    "Directora financiera",
    "Gerente",
    "Responsable de IT",
    "Administrativa",
    "Técnico de sistemas",
    "CEO",
    "",
)
FREE_MAIL = ("gmail.com", "hotmail.com", "yahoo.es", "outlook.com")
SOURCES = ("web_form", "web_form", "web_form", "email", "import", "phone", "event", "partner")
DISQUALIFY_REASONS = ("Sin presupuesto", "Competidor", "Datos falsos", "No es el decisor")
NOTES = (
    "Pide precio para 10 líneas móviles.",
    "Interesado en fibra para su oficina.",
    "Quiere renovar la centralita.",
    "Vio la promoción en la feria.",
    "",
)


def rules_ensure(team_ids: dict[str, int]) -> None:
    """The demo's scoring rules, assignment rules and web form (once)."""
    if not ScoringRule.objects.exists():
        ScoringRule.objects.bulk_create(
            [
                ScoringRule(
                    name="Cargo directivo",
                    field="job_title",
                    operator="contains",
                    value="direct",
                    points=10,
                    position=1,
                ),
                ScoringRule(
                    name="Formulario web",
                    field="source",
                    operator="equals",
                    value="web_form",
                    points=5,
                    position=2,
                ),
                ScoringRule(
                    name="Con empresa", field="company", operator="is_set", points=5, position=3
                ),
                ScoringRule(
                    name="Correo gratuito",
                    field="email_domain",
                    operator="in",
                    value=", ".join(FREE_MAIL),
                    points=-5,
                    position=4,
                ),
                ScoringRule(
                    name="Visitas web",
                    kind="behaviour",
                    activity_kind="web_visit",
                    points=2,
                    max_points=10,
                    position=5,
                ),
                ScoringRule(
                    name="Respuestas",
                    kind="behaviour",
                    activity_kind="email_reply",
                    points=2,
                    position=6,
                ),
            ]
        )
    teams = {name: Team.objects.get(pk=pk) for name, pk in team_ids.items()}
    if not AssignmentRule.objects.exists():
        for position, (name, prefix) in enumerate(
            (("Madrid Centro", "28"), ("Barcelona", "08"), ("Valencia", "46")), start=1
        ):
            AssignmentRule.objects.create(
                name=f"Territorio {name}",
                kind="territory",
                countries="ES",
                postal_prefixes=prefix,
                team=teams[name],
                capacity=60,
                position=position,
            )
        AssignmentRule.objects.create(
            name="Empresas por turnos",
            kind="round_robin",
            team=teams["Empresas"],
            capacity=80,
            position=10,
        )
    if not WebForm.objects.exists():
        WebForm.objects.create(
            name="Contacto web",
            fields=[
                "first_name",
                "last_name",
                "email",
                "phone",
                "company",
                "postal_code",
                "message",
            ],
            required_fields=["last_name", "email"],
            team=teams["Empresas"],
            allowed_origins="http://127.0.0.1:8000\nhttp://localhost:8000\nhttps://www.example.com",
        )


@transaction.atomic
def leads_seed(*, team_ids: dict[str, int], count: int = DEMO_LEADS, seed: int = 42) -> int:
    """``count`` leads in every status (new, working, qualified, disqualified, converted)
    with activity; nothing when the demo already has leads. How many were made."""
    rules_ensure(team_ids)
    if Lead.objects.exists():
        return 0
    rnd = random.Random(seed)
    form = WebForm.objects.first()
    reps = {u.pk: u for u in User.objects.filter(teams__isnull=False).distinct()}
    has_pipeline = Pipeline.objects.filter(active=True).exists()
    made = 0
    for n in range(count):
        first = rnd.choice(ES_FEMALE + ES_MALE)
        last = f"{rnd.choice(ES_SURNAMES)} {rnd.choice(ES_SURNAMES)}"
        company = (
            f"{rnd.choice(COMPANY_WORDS_ES)} {rnd.choice(COMPANY_SUFFIXES_ES)}"
            if rnd.random() < 0.7
            else ""
        )
        domain = rnd.choice(FREE_MAIL) if rnd.random() < 0.4 else f"empresa{n}.es"
        city, region, prefix = rnd.choice(CITIES[:8])
        source = rnd.choice(SOURCES)
        lead = lead_create(
            by=None,
            source=source,
            first_name=first,
            last_name=last,
            company=company,
            job_title=rnd.choice(TITLES),
            email=f"{fold(first).replace(' ', '')}.{n}@{domain}",
            phone=f"6{rnd.randrange(10_000_000, 99_999_999)}",
            notes=rnd.choice(NOTES),
            data={"country": "ES", "region": region, "postal_code": f"{prefix}{n % 1000:03d}"},
            web_form=form if source == "web_form" else None,
        )
        made += 1
        by = reps.get(lead.owner_id) if lead.owner_id else None
        for _visit in range(rnd.choice((0, 0, 1, 2, 3, 6))):
            lead_activity_record(by=by, lead_id=lead.pk, kind=LeadActivity.Kind.WEB_VISIT)
        if rnd.random() < 0.3:
            lead_activity_record(
                by=by, lead_id=lead.pk, kind=LeadActivity.Kind.EMAIL_REPLY, detail="Re: info"
            )
        fate = rnd.random()
        if fate < 0.35:
            continue  # new
        lead_update(by=by, lead_id=lead.pk, changes={"notes": lead.notes + " Llamado."})
        if fate < 0.6:
            continue  # working
        if fate < 0.75:
            lead_status_change(
                by=by,
                lead_id=lead.pk,
                status="disqualified",
                reason=rnd.choice(DISQUALIFY_REASONS),
            )
            continue
        lead_status_change(by=by, lead_id=lead.pk, status="qualified")
        if fate < 0.9 or by is None:
            continue
        lead_convert(
            by=by,
            lead_id=lead.pk,
            create_new=True,
            opportunity=has_pipeline,
            amount=rnd.choice((900, 2400, 6000, 15000)),
        )
    return made
