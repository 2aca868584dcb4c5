"""The service desk of the demo: queues with agents and skills, a Madrid business
calendar with SLA policies, and cases in every state (some near breach, some breached
for the worker's sweep to escalate). ``panorama seed --cases N`` uses it too."""

import random
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat, LPad
from django.utils import timezone

from panorama.accounts.models import Role, User
from panorama.core.bulk import model_new, objects_insert
from panorama.customers.models import Customer
from panorama.service.models import (
    BusinessCalendar,
    Case,
    CaseMessage,
    Queue,
    QueueMember,
    SlaPolicy,
)
from panorama.service.services import sla
from panorama.service.services.business_hours import Timeline

from .showcase import showcase_customer_id

BATCH = 5000

AGENTS = (
    ("agent", "Pablo", "Ortega León"),
    ("agent.fibra", "Nuria", "Campos Vega"),
    ("agent.facturas", "Óscar", "Herrero Pastor"),
    ("supervisor", "Carmen", "Lozano Ibáñez"),
)
# queue, e-mail, members with their skills
QUEUES = (
    ("Fibra y ADSL", "fibra@example.com", {"agent": ["fibre", "router"], "agent.fibra": ["fibre"]}),
    ("Facturación", "facturas@example.com", {"agent.facturas": ["billing"], "agent": ["billing"]}),
    ("Nivel 2", "nivel2@example.com", {"supervisor": ["fibre", "billing", "router"]}),
)
SUBJECTS = (
    ("Sin conexión a internet", "incident", "fibre"),
    ("El router se reinicia solo", "incident", "router"),
    ("Cobro duplicado en la factura", "complaint", "billing"),
    ("Cambio de cuenta bancaria", "request", "billing"),
    ("¿Cuándo llega el técnico?", "question", "fibre"),
    ("Velocidad muy baja por la noche", "incident", "fibre"),
    ("Factura con importe incorrecto", "complaint", "billing"),
    ("Quiero ampliar la velocidad", "request", ""),
)
STATUSES = ("new", "open", "open", "open", "waiting", "resolved", "closed", "reopened")
PRIORITIES = ("low", "normal", "normal", "normal", "high", "urgent")
CHANNELS = ("phone", "phone", "email", "email", "portal", "chat")


@transaction.atomic
def service_setup() -> dict:
    """Agents, queues, the calendar and the policies (each created once)."""
    users = {}
    for username, first, last in AGENTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                first_name=first,
                last_name=last,
                role=Role.SERVICE_AGENT,
                email=f"{username}@example.com",
            )
            user.set_unusable_password()
            user.save()
        users[username] = user
    queues = {}
    for name, email, members in QUEUES:
        queue, _created = Queue.objects.get_or_create(name=name, defaults={"email": email})
        for username, skills in members.items():
            QueueMember.objects.get_or_create(
                queue=queue, user=users[username], defaults={"skills": skills}
            )
        queues[name] = queue
    calendar = BusinessCalendar.objects.filter(name="Madrid (oficina)").first()
    if calendar is None:
        calendar = sla.calendar_save(
            by=None,
            name="Madrid (oficina)",
            subdivision="MD",
            extra_holidays=[(date(timezone.now().year, 12, 24), "Nochebuena (empresa)")],
        )
    level2 = queues["Nivel 2"]
    policies: tuple[tuple[str, dict[str, Any], int, int], ...] = (
        ("Fibra urgente", {"queue": queues["Fibra y ADSL"], "priority": "urgent"}, 30, 4 * 60),
        ("Fibra", {"queue": queues["Fibra y ADSL"]}, 60, 9 * 60),
        ("Facturación", {"queue": queues["Facturación"]}, 4 * 60, 3 * 9 * 60),
        ("General", {}, 8 * 60, 5 * 9 * 60),
    )
    for name, criteria, response, resolution in policies:
        if not SlaPolicy.objects.filter(name=name).exists():
            sla.policy_save(
                by=None,
                policy=SlaPolicy(
                    name=name,
                    calendar=calendar,
                    first_response_minutes=response,
                    resolution_minutes=resolution,
                    warn_minutes=30,
                    escalate_to_queue=level2 if criteria.get("queue") else None,
                    escalate_to_user=users["supervisor"],
                    manager_email="supervisor@example.com",
                    **criteria,
                ),
            )
    return {"users": users, "queues": queues}


def service_demo_ensure(*, cases: int = 80, seed: int = 7, messages: bool = True) -> int:
    """Add ``cases`` cases over the existing customers (the showcase customer first).
    Returns how many were added."""
    setup = service_setup()
    rng = random.Random(seed)
    # The ids and kinds in one read (not an IN list of them afterwards: at the bench's
    # 300,000 cases that is 900,000 ids, past SQLite's variable limit).
    kinds = dict(
        Customer.objects.filter(merged_into=None)
        .order_by("id")
        .values_list("id", "kind")[: max(cases * 3, 100)]
    )
    customer_ids = list(kinds)
    showcase = showcase_customer_id()
    if not customer_ids or cases <= 0:
        return 0
    queues = list(setup["queues"].values())
    members = {
        q.pk: list(QueueMember.objects.filter(queue=q).values_list("user_id", flat=True))
        for q in queues
    }
    policies = list(SlaPolicy.objects.filter(active=True).select_related("calendar"))
    now = timezone.now()
    # Each calendar unrolled once over the days the cases need (the walk's answers, two
    # binary searches each; the walk itself beyond them).
    first, last = (now - timedelta(days=14)).date(), (now + timedelta(days=90)).date()
    hours = {p.calendar_id: Timeline(sla.hours_of(p.calendar), first, last) for p in policies}
    criteria = [(p, p.criteria()) for p in policies]
    rows = []
    for i in range(cases):
        subject, type_, skill = SUBJECTS[i % len(SUBJECTS)]
        queue = queues[0] if skill in ("fibre", "router") else queues[1]
        status = STATUSES[i % len(STATUSES)]
        customer_id = showcase if (showcase and i < 2) else rng.choice(customer_ids)
        opened = now - timedelta(minutes=rng.randint(30, 60 * 24 * 12))
        owner = None if status == "new" else rng.choice(members[queue.pk] or [None])
        case = model_new(
            Case,
            customer_id=customer_id,
            subject=subject,
            type=type_,
            skill=skill,
            priority=PRIORITIES[i % len(PRIORITIES)],
            channel=CHANNELS[i % len(CHANNELS)],
            queue=queue,
            owner_id=owner,
            status=status,
            created_at=opened,
        )
        policy = _policy(criteria, case, kinds.get(customer_id, ""))
        if policy is not None:
            timeline = hours[policy.calendar_id]
            case.sla_policy = policy
            case.first_response_due = timeline.add(opened, policy.first_response_minutes)
            case.resolution_due = timeline.add(opened, policy.resolution_minutes)
        if status != "new":
            case.first_response_at = opened + timedelta(minutes=rng.randint(5, 90))
        if status in ("resolved", "closed"):
            case.resolved_at = min(now, opened + timedelta(hours=rng.randint(1, 48)))
            case.closed_at = case.resolved_at if status == "closed" else None
        if status == "waiting":
            case.sla_paused_at = now - timedelta(minutes=rng.randint(10, 600))
        if i % 10 == 3:  # near breach: the first response is due in a few minutes
            case.status, case.owner_id, case.first_response_at = "open", owner, None
            case.first_response_due = now + timedelta(minutes=rng.randint(10, 25))
            case.resolution_due = max(case.resolution_due or now, now + timedelta(hours=4))
        rows.append(case)
    with transaction.atomic():
        # One prepared INSERT run with executemany (``bulk_create`` compiled each value:
        # 2,300 cases per CPU second); the seeded ``created_at`` kept.
        for start in range(0, len(rows), BATCH):
            objects_insert(rows[start : start + BATCH], given=("created_at",))
        made = rows
        Case.objects.filter(reference=None).update(
            reference=Concat(
                Value("C-"), LPad(Cast("id", CharField()), 6, Value("0")), output_field=CharField()
            )
        )
        if messages:
            _messages(made, rng)
    return len(made)


def _policy(
    policies: list[tuple[SlaPolicy, dict[str, Any]]], case: Case, kind: str
) -> SlaPolicy | None:
    """The most specific policy whose criteria (worked out once each) the case meets."""
    actual = {"queue_id": case.queue_id, "priority": case.priority, "segment": kind}
    best, size = None, -1
    for policy, wanted in policies:
        if all(actual[k] == v for k, v in wanted.items()) and len(wanted) > size:
            best, size = policy, len(wanted)
    return best


def _messages(cases: list[Case], rng: random.Random) -> None:
    rows = []
    for case in cases:
        rows.append(
            CaseMessage(case=case, kind="customer", body=f"{case.subject}. ¿Pueden ayudarme?")
        )
        if case.first_response_at:
            rows.append(
                CaseMessage(
                    case=case,
                    kind="reply",
                    author_id=case.owner_id,
                    body="Hola, ya estamos revisando su caso. Le mantenemos informado.",
                )
            )
        if rng.random() < 0.4:
            rows.append(
                CaseMessage(
                    case=case,
                    kind="note",
                    author_id=case.owner_id,
                    body="Revisar incidencias abiertas en la zona antes de llamar.",
                )
            )
    CaseMessage.objects.bulk_create(rows, batch_size=5000)
