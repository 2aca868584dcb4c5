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
