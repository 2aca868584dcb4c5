"""Alerts: on the ficha, on the owner's home page and in his agenda's proposed work,
marked seen per user, gone when expired, scoped to the customers a user sees, and
mailed in a morning digest (a real SMTP server on loopback)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from panorama.accounts.models import Role
from panorama.automation.models import Alert
from panorama.automation.services.alerts import alert_raise, digest_send

from ..factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def raise_for(customer, user, title="Call her", **kw):
    return alert_raise(by=None, customer_id=customer.pk, user_id=user.pk, title=title, **kw)


def test_the_owner_sees_his_alert_at_home_and_marks_it_seen(client, rep, customer):
    alert = raise_for(customer, rep, priority=3)
    client.force_login(rep)
    page = client.get("/", follow=True)
    assert page.redirect_chain[-1][0] == reverse("automation:home")
    html = page.content.decode()
    assert "My alerts" in html and "Call her" in html and "Lucía Vega" in html
    assert "1 alert waits for you." in html
    client.post(reverse("automation:alert_seen", args=[alert.pk]))
    html = client.get(reverse("automation:home")).content.decode()
    assert "0 alerts wait for you." in html and "seen" in html


def test_the_ficha_shows_the_customers_alerts(client, rep, customer):
    raise_for(customer, rep, title="Mortgage simulation")
    client.force_login(rep)
    html = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert 'id="panel-alerts"' in html and "Mortgage simulation" in html


def test_an_expired_alert_is_gone(client, rep, customer):
    raise_for(customer, rep, expires_at=timezone.now() - datetime.timedelta(minutes=1))
    client.force_login(rep)
    assert "Call her" not in client.get(reverse("automation:home")).content.decode()


def test_a_team_alert_reaches_the_team_and_no_stranger(client, rep, team, customer):
    alert_raise(by=None, customer_id=customer.pk, team_id=team.pk, title="For the team")
    stranger = UserFactory(username="other", role=Role.SALES_REP)
    client.force_login(rep)
    assert "For the team" in client.get(reverse("automation:home")).content.decode()
    client.force_login(stranger)
    assert "For the team" not in client.get(reverse("automation:home")).content.decode()
    alert = Alert.objects.get()
    answer = client.post(reverse("automation:alert_seen", args=[alert.pk]))
    assert answer.status_code == 302 and not alert.seen.exists()


def test_the_agenda_proposes_the_unseen_alerts(client, rep, customer):
    raise_for(customer, rep, title="Simulated a mortgage")
    client.force_login(rep)
    html = client.get(reverse("sales:agenda")).content.decode()
    assert "Lucía Vega: Simulated a mortgage" in html


def test_the_morning_digest_is_mailed_once_to_each_user(rep, customer, smtp):
    raise_for(customer, rep, title="Mortgage simulation")
    other = CustomerFactory(display_name="Nobody's", owner=None)
    alert_raise(by=None, customer_id=other.pk, user_id=rep.pk, title="Second")
    tz = timezone.get_current_timezone()
    seven = datetime.datetime.combine(timezone.localdate(), datetime.time(7, 0), tzinfo=tz)
    assert digest_send(seven) == 0  # before 8
    eight = seven + datetime.timedelta(hours=1, minutes=5)
    assert digest_send(eight) == 1
    [(to, content)] = smtp.messages
    body = content.decode()
    assert to == [rep.email]
    assert "Mortgage simulation" in body and "Lucía Vega" in body
    assert digest_send(eight + datetime.timedelta(hours=2)) == 0  # once a day
