"""The lead import writes each batch in sets (``lead_bulk.leads_create_many``): every
row still checked by the lead's own validation, then assignment, scores, activities
and events for the batch at once. The same file imported through it and through
``lead_create`` one row at a time gives the same owners, teams, notes, scores,
activities and round robin turns; its queries do not grow with the rows; bad rows are
reported; the undo removes what it created."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from panorama.accounts.models import Role
from panorama.core.exceptions import DomainError
from panorama.sales.models import AssignmentRule, Lead, LeadActivity, LeadImport, ScoringRule
from panorama.sales.services.lead import lead_create, lead_status_change
from panorama.sales.services.lead_import import (
    lead_import_create,
    lead_import_rejected_csv,
    lead_import_undo,
    row_values,
)
from panorama.sales.services.lead_import_jobs import lead_import_process, lead_import_start
from tests.customers.import_files import csv_bytes

from ..factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = ["Nombre", "Empresa", "Cargo", "Email", "País", "CP"]
MAPPING = {
    "Nombre": "first_name",
    "Empresa": "company",
    "Cargo": "job_title",
    "Email": "email",
    "País": "country",
    "CP": "postal_code",
}


def _rows(n: int, tag: str = "a") -> list[list[str]]:
    """Leads in Madrid (territory), directors elsewhere (criteria), the rest (round
    robin), and bad rows: nothing to reach the lead by, a wrong e-mail."""
    rows = []
    for i in range(n):
        if i % 7 == 6:
            rows.append(["", "", "", "", "ES", "28001"])
        elif i % 9 == 4:
            rows.append([f"Bad {i}", "", "", f"no-mail-{i}", "ES", ""])
        else:
            madrid = i % 3 == 0
            rows.append(
                [
                    f"Lead {i}",
                    f"Empresa {i}" if i % 2 else "",
                    "Directora" if i % 4 == 1 else "Analyst",
                    f"lead.{tag}.{i}@example.com",
                    "ES" if madrid or i % 5 else "FR",
                    f"28{i:03d}" if madrid else f"08{i:03d}",
                ]
            )
    return rows


def _reps(team, *names):
    return [UserFactory(username=n, role=Role.SALES_REP, teams=[team]) for n in names]


@pytest.fixture
def rules(db):
    for name, kwargs in {
        "Directors": {"field": "job_title", "operator": "contains", "value": "director"},
        "Company": {"field": "company", "operator": "is_set"},
        "Madrid": {"field": "postal_code", "operator": "starts_with", "value": "28"},
    }.items():
        ScoringRule.objects.create(name=name, points=10 if name == "Directors" else 5, **kwargs)
    ScoringRule.objects.create(
        name="Captured", kind="behaviour", activity_kind="captured", points=3
    )
    ScoringRule.objects.create(name="Visits", kind="behaviour", activity_kind="web_visit", points=2)
    madrid, big, rest = (
        TeamFactory(name="Madrid"),
        TeamFactory(name="Big"),
        TeamFactory(name="Rest"),
    )
    m1, _m2 = _reps(madrid, "m1", "m2")
    (boss,) = _reps(big, "boss")
    r1, _r2, _r3 = _reps(rest, "r1", "r2", "r3")
    AssignmentRule.objects.create(
        name="Madrid",
        kind="territory",
        team=madrid,
        countries="ES",
        postal_prefixes="28",
        capacity=4,
        position=1,
    )
    AssignmentRule.objects.create(
        name="Directors",
        kind="criteria",
        team=big,
        owner=boss,
        field="job_title",
        operator="contains",
        value="director",
        capacity=3,
        position=2,
    )
    AssignmentRule.objects.create(
        name="Rest", kind="round_robin", team=rest, capacity=5, position=3
    )
    # Open leads held before the import count against the capacity; closed ones do not.
    lead_create(by=m1, company="Held")
    Lead.objects.create(company="Closed", owner=r1, status=Lead.Status.DISQUALIFIED)


def _import(by, rows, *, assign_by_rules=True, run=True) -> LeadImport:
    upload = SimpleUploadedFile("leads.csv", csv_bytes(rows, header=HEADER))
    job = lead_import_create(by=by, upload=upload)
    lead_import_start(by=by, import_id=job.pk, mapping=MAPPING, assign_by_rules=assign_by_rules)
    return lead_import_process(job_id=job.pk) if run else job


def _one_by_one(by, rows) -> dict[int, str]:
    """The same rows through ``lead_create`` one at a time; the refused rows' problems."""
    refused = {}
    for number, cells in enumerate(rows, start=2):
        try:
            lead_create(by=by, source="import", unowned=True, **row_values(HEADER, MAPPING, cells))
        except DomainError as exc:
            refused[number] = str(exc.message)
    return refused


def _outcome() -> tuple[list, dict]:
    """What the import left: each lead in capture order, its activities, the turns."""
    leads = []
    for lead in Lead.objects.filter(source="import").order_by("id"):
        activities = [
            (a.kind, a.detail, a.by_id)
            for a in LeadActivity.objects.filter(lead=lead).order_by("id")
        ]
        leads.append(
            (
                lead.email or lead.first_name,
                lead.owner_id,
                lead.team_id,
                lead.assignment_note,
                lead.score,
                lead.score_explanation,
                activities,
            )
        )
    turns = dict(AssignmentRule.objects.values_list("name", "last_assigned_id"))
    return leads, turns


def _forget_the_import() -> None:
    Lead.objects.filter(source="import").delete()
    AssignmentRule.objects.update(last_assigned=None)


def _assigned(events) -> list[tuple]:
    """The ``lead.assigned`` events, each lead named by its e-mail (ids differ)."""
    emails = dict(Lead.objects.values_list("pk", "email"))
    return [
        (emails[p["lead_id"]], p["owner_id"], p["team_id"], p["rule"], p["by"])
        for name, p in events
        if name == "lead.assigned"
    ]


def test_the_batch_assigns_and_scores_as_one_lead_at_a_time(
    rules, rep, emitted, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    rows = _rows(60)
    with emitted() as events:
        refused = _one_by_one(rep, rows)
    one_by_one, one_by_one_assigned = _outcome(), _assigned(events)
    _forget_the_import()

    with emitted() as events:
        job = _import(rep, rows)
    assert _outcome() == one_by_one
    assert _assigned(events) == one_by_one_assigned
    created = [p["lead_id"] for name, p in events if name == "lead.created"]
    assert sorted(created) == list(
        Lead.objects.filter(lead_import=job).order_by("id").values_list("pk", flat=True)
    )

    leads, turns = one_by_one
    owners = {note.split(" (")[0] for _e, _o, _t, note, *_rest in leads}
    assert owners == {"", "Rule “Madrid”", "Rule “Directors”", "Rule “Rest”"}, (
        "every rule gave leads and some leads found every rep at capacity"
    )
    assert turns["Madrid"] and turns["Rest"] and turns["Directors"] is None  # its one rep
    assert {score for *_x, score, _e, _a in leads} >= {3, 8, 13, 18}
    assert (job.created_count, job.rejected_count) == (len(leads), len(refused))
    report = {r.row_number: r.message for r in job.rejected_rows.all()}
    assert set(report) == set(refused)
    assert all(refused[n] in report[n] for n in refused)
    assert "Email: no-mail-4 is not a valid e-mail address." in report[6]
    assert "A lead needs a name" in report[8]


def test_the_batch_keeps_the_importer_as_owner_without_the_rules(rules, rep, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    rows = _rows(12)
    refused = {}
    for number, cells in enumerate(rows, start=2):
        try:
            lead_create(by=rep, source="import", **row_values(HEADER, MAPPING, cells))
        except DomainError as exc:
            refused[number] = str(exc.message)
    one_by_one = _outcome()
    _forget_the_import()

    job = _import(rep, rows, assign_by_rules=False)
    assert _outcome() == one_by_one
    assert {owner for _e, owner, *_rest in one_by_one[0]} == {rep.pk}
    assert job.rejected_count == len(refused)


@pytest.mark.parametrize("assign_by_rules", [True, False])
def test_a_batch_costs_the_same_queries_for_10_or_60_rows(
    rules, rep, settings, tmp_path, assign_by_rules
):
    settings.MEDIA_ROOT = tmp_path
    counted = []
    # The first import reads what a process reads once (PostgreSQL's sequence names).
    for n, tag in ((10, "first"), (10, "small"), (60, "large")):
        job = _import(rep, _rows(n, tag), assign_by_rules=assign_by_rules, run=False)
        with CaptureQueriesContext(connection) as queries:
            job = lead_import_process(job_id=job.pk)
        assert job.status == "done" and job.created_count > 0 and job.rejected_count > 0
        counted.append(len(queries))
    assert counted[1] == counted[2]


def test_the_undo_removes_the_leads_and_their_activities_it_created(
    rules, rep, admin_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    job = _import(rep, _rows(30))
    leads = list(Lead.objects.filter(lead_import=job).order_by("id"))
    worked = leads[0]
    lead_status_change(by=admin_user, lead_id=worked.pk, status="working")
    job = lead_import_undo(by=rep, import_id=job.pk)
    assert (job.undo_deleted_count, job.undo_kept_count) == (len(leads) - 1, 1)
    assert list(Lead.objects.filter(source="import")) == [worked]
    assert not LeadActivity.objects.filter(lead_id__in=[lead.pk for lead in leads[1:]]).exists()
    assert Lead.objects.filter(company__in=["Held", "Closed"]).count() == 2
    assert "".join(lead_import_rejected_csv(job=job)).count("\n") == job.rejected_count + 1


def test_the_undo_costs_the_same_queries_for_10_or_60_leads(rules, rep, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    counted = []
    for n, tag in ((10, "first"), (10, "small"), (60, "large")):
        job = _import(rep, _rows(n, tag))
        with CaptureQueriesContext(connection) as queries:
            job = lead_import_undo(by=rep, import_id=job.pk)
        assert job.undo_deleted_count == job.created_count > 0
        counted.append(len(queries))
    assert counted[1] == counted[2]
    assert not Lead.objects.filter(source="import").exists()
    assert not LeadActivity.objects.filter(lead__source="import").exists()


def test_the_undo_keeps_every_lead_someone_worked_on(
    rules, rep, admin_user, settings, tmp_path, monkeypatch
):
    from panorama.sales.services import lead_import
    from panorama.sales.services.activity import activity_plan
    from panorama.sales.services.lead import lead_activity_record, lead_update

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(lead_import, "UNDO_BATCH", 7)  # several rounds
    job = _import(rep, _rows(40))
    leads = list(Lead.objects.filter(lead_import=job).order_by("id"))
    edited, called, planned, mailed = leads[0], leads[5], leads[11], leads[20]
    lead_update(by=admin_user, lead_id=edited.pk, changes={"job_title": "CEO"})
    lead_activity_record(by=admin_user, lead_id=called.pk, kind="call", detail="Interesado")
    activity_plan(
        by=admin_user,
        kind="call",
        subject="Llamar",
        starts_at=timezone.now() + datetime.timedelta(days=1),
        lead_id=planned.pk,
    )
    kept = {edited.pk, called.pk, planned.pk}
    # A mail ledger entry that named an untouched lead stays, without it (SET_NULL).
    entry = _mail_entry(mailed)

    job = lead_import_undo(by=rep, import_id=job.pk)

    assert (job.undo_deleted_count, job.undo_kept_count) == (len(leads) - 3, 3)
    assert set(Lead.objects.filter(source="import").values_list("pk", flat=True)) == kept
    gone = [lead.pk for lead in leads if lead.pk not in kept]
    assert not LeadActivity.objects.filter(lead_id__in=gone).exists()
    assert LeadActivity.objects.filter(lead_id=called.pk, kind="call").exists()
    entry.refresh_from_db()
    assert entry.lead_id is None


def _mail_entry(lead):
    from panorama.channels.models import Mailbox, MailEntry

    mailbox = Mailbox.objects.create(
        name="Ventas", address="ventas@bank.example", host="127.0.0.1", username="ventas"
    )
    return MailEntry.objects.create(
        mailbox=mailbox, uid=1, message_id="<1@lead.example>", status="imported", lead=lead
    )


def test_the_undo_handles_every_table_that_points_at_a_lead():
    """A new foreign key to a lead must be handled by ``lead_import._leads_remove``
    (the undo deletes without Django's cascade): this lists the ones it handles."""
    pointing = {
        (r.related_model._meta.label, r.field.name, r.on_delete.__name__)
        for r in Lead._meta.related_objects
    }
    assert pointing == {
        ("sales.LeadActivity", "lead", "CASCADE"),
        ("channels.MailEntry", "lead", "SET_NULL"),
        ("sales.Activity", "lead", "SET_NULL"),
    }
