"""The sales forecast page: the latest SARIMAX run of the order history beside its
months, run again from the page; analysts only."""

import datetime
import io

import pytest
from django.urls import reverse

from panorama.accounts.models import Role
from panorama.analytics.services.purchases import purchases_import
from panorama.seeding.analytics_demo import history_csv
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(db):
    return UserFactory(role=Role.ANALYST)


def test_the_page_runs_and_shows_the_forecast(client, analyst, rep):
    text, _rows = history_csv(
        [f"c{n}" for n in range(20)],
        products=["Tea", "Milk", "Bread"],
        months=18,
        end=datetime.date(2026, 6, 30),
        seed=1,
    )
    purchases_import(source=io.BytesIO(text.encode()), by=None, file_name="h.csv")
    client.force_login(analyst)
    url = reverse("analytics:forecast")
    empty = client.get(url)
    assert empty.status_code == 200 and "No forecast yet" in empty.content.decode()
    assert client.post(url, {"months": "6"}).status_code == 302
    page = client.get(url).content.decode()
    assert "Revenue per month" in page and "forecast-data" in page
    table = page.split('id="forecast-table"')[1].split("</table>")[0]
    assert table.count("<tr>") == 7  # the header and six months
    assert "2026-11" in table  # six months after the last whole one (June or May)
    wrong = client.post(url, {"months": "99"})
    assert wrong.status_code == 422
    assert "Forecast between 1 and 60 months." in wrong.content.decode()
    client.force_login(rep)
    assert client.get(url).status_code == 403
