"""The satisfaction survey: sent on resolution, one click on a signed link without
login, once per case, expiring; the answer on the case and in the report."""

from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse

from panorama.accounts.models import Role
from panorama.customers.models import Identity
from panorama.service.models import CaseSurvey
from panorama.service.services import csat
from panorama.service.services.case import case_open, case_set_status

from ..factories import CustomerFactory, QueueFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def resolved(mailoutbox, django_capture_on_commit_callbacks):
    agent = UserFactory(username="eva", first_name="Eva", role=Role.SERVICE_AGENT)
    ana = CustomerFactory(first_name="Ana")
    Identity.objects.create(customer=ana, kind=Identity.Kind.EMAIL, value="ana@example.com")
    queue = QueueFactory(name="Fibra")
    case = case_open(
        by=agent, customer_id=ana.pk, subject="Sin línea", queue_id=queue.pk, owner=agent
    )
    with django_capture_on_commit_callbacks(execute=True):
        case_set_status(by=agent, case_id=case.pk, status="resolved")
    return case, agent


def test_resolving_sends_one_click_links_and_the_first_answer_counts(
    resolved, mailoutbox, client, emitted
):
    case, agent = resolved
    [message] = mailoutbox
    assert message.to == ["ana@example.com"] and case.reference in message.subject
    link = csat.survey_links(case)[4]
    assert link in message.body

    with emitted() as events:
        response = client.get(link)  # anonymous: no login needed
    assert response.status_code == 200 and "4" in response.content.decode()
    assert events == [("csat.answered", {"case_id": case.pk, "score": 4})]
    again = client.get(csat.survey_links(case)[1])
    assert again.status_code == 409
    assert CaseSurvey.objects.get().score == 4

    client.force_login(agent)
    page = client.get(reverse("service:case_detail", args=[case.pk])).content.decode()
    assert "4 out of 5" in page
    report = client.get(reverse("service:csat_report")).content.decode()
    assert "Fibra" in report and "4.0" in report and "Eva" in report


def test_a_forged_or_expired_link_records_nothing(resolved, client, monkeypatch):
    case, _agent = resolved
    token = csat.survey_token(case, 5)
    assert client.get(reverse("service:csat_answer", args=[token + "x"])).status_code == 404
    forged = signing.dumps({"case": case.pk, "score": 5}, salt="other")
    assert client.get(reverse("service:csat_answer", args=[forged])).status_code == 404
    monkeypatch.setattr(csat, "CSAT_MAX_AGE", timedelta(seconds=-1))
    response = client.get(reverse("service:csat_answer", args=[token]))
    assert response.status_code == 410 and "expired" in response.content.decode()
    assert not CaseSurvey.objects.exists()


@pytest.mark.parametrize(
    "customer_language, agent_language, subject, body",
    [
        ("es", "en", "¿Qué tal lo hicimos con su caso", "se ha resuelto"),
        ("en", "es", "How did we do with your case", "was resolved"),
    ],
)
def test_the_survey_speaks_the_customers_language_not_the_agents(
    mailoutbox, django_capture_on_commit_callbacks, customer_language, agent_language, subject, body
):
    from django.utils import translation

    agent = UserFactory(username="eva", role=Role.SERVICE_AGENT, language=agent_language)
    ana = CustomerFactory(first_name="Ana", language=customer_language)
    Identity.objects.create(customer=ana, kind=Identity.Kind.EMAIL, value="ana@example.com")
    case = case_open(by=agent, customer_id=ana.pk, subject="Sin línea", owner=agent)
    # The agent resolves it in his own language (his request's).
    with translation.override(agent_language), django_capture_on_commit_callbacks(execute=True):
        case_set_status(by=agent, case_id=case.pk, status="resolved")
    [message] = mailoutbox
    assert message.subject.startswith(subject) and case.reference in message.subject
    assert body in message.body


def test_the_api_shows_the_cases_satisfaction_score_and_comment(resolved, api_as):
    case, agent = resolved
    api = api_as(agent)
    before = api.get(f"/cases/{case.pk}").json()
    assert (before["csat_score"], before["csat_comment"]) == (None, None)
    csat.survey_answer(token=csat.survey_token(case, 2), comment="Tardaron una semana")
    after = api.get(f"/cases/{case.pk}").json()
    assert (after["csat_score"], after["csat_comment"]) == (2, "Tardaron una semana")
    [listed] = api.get("/cases").json()["items"]
    assert (listed["csat_score"], listed["csat_comment"]) == (2, "Tardaron una semana")
