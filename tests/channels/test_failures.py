"""Failed sends on every channel: a message the mail server or the provider refused is a
failed entry on the customer's timeline (channel, reason, time, who sent it), listed on
the "Failed messages" page and the API in the user's scope, and sent again through its
channel's own service (its checks and permissions)."""

import datetime
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.mail.backends.smtp import EmailBackend
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from panorama.accounts.models import Role
from panorama.channels.failures import REASON_MAX, reason_kept
from panorama.channels.models import (
    Interaction,
    MessagingAccount,
    SendingIdentity,
    SentMail,
    TextMessage,
)
from panorama.channels.sms.provider import signature_for
from panorama.channels.sms.services import messaging_account_save
from tests.factories import CustomerFactory, IdentityFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
KEY = "provider-api-key"


class Provider(BaseHTTPRequestHandler):
    """The reference messaging API (docs/messaging.md): refuses while ``refusing``."""

    refusing = True
    sent = 0
    error = "number not reachable"

    def do_POST(self):  # noqa: N802 (http.server's name)
        self.rfile.read(int(self.headers["Content-Length"]))
        if Provider.refusing:
            return self._answer(400, {"error": Provider.error})
        Provider.sent += 1
        return self._answer(201, {"id": f"prov-{Provider.sent}", "status": "queued"})

    def _answer(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def account():
    Provider.refusing, Provider.sent, Provider.error = True, 0, "number not reachable"
    server = ThreadingHTTPServer(("127.0.0.1", 0), Provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield messaging_account_save(
        by=None,
        account=MessagingAccount(
            name="SMS",
            number="+34600100200",
            api_url=f"http://127.0.0.1:{server.server_address[1]}",
        ),
        api_key=KEY,
    )
    server.shutdown()
    server.server_close()


@pytest.fixture
def ana(team):
    customer = CustomerFactory(
        first_name="Ana", last_name="García", display_name="Ana García", team=team
    )
    IdentityFactory(customer=customer, kind="email", value="ana@refused.example", is_primary=True)
    IdentityFactory(customer=customer, kind="phone", value="+34611222333", is_primary=True)
    return customer


@pytest.fixture
def support():
    return SendingIdentity.objects.create(
        name="Support",
        from_address="support@bank.example",
        display_name="Banco Panorama",
        signature="Banco Panorama · 900 100 200",
    )


def _refused_mail(api, smtp, ana, support):
    smtp.refused_domain = "refused.example"
    r = api.post(
        f"/customers/{ana.pk}/emails",
        json={"identity_id": support.pk, "subject": "Su hipoteca", "body": "Le llamamos mañana."},
    )
    assert r.status_code == 422
    return Interaction.objects.get(customer=ana, failed=True)


def test_a_refused_email_is_a_failed_entry_on_the_ficha(client, api_as, smtp, ana, support, rep):
    failed = _refused_mail(api_as(rep), smtp, ana, support)

    assert (failed.channel, failed.direction, failed.agent) == ("email", "outbound", rep)
    assert "550" in failed.metadata["error"]
    assert SentMail.objects.get().interaction == failed
    client.force_login(rep)
    page = client.get(reverse("customers:detail", args=[ana.pk])).content.decode()
    entry = page[page.index(f'id="interaction-{failed.pk}"') :]
    entry = entry[: entry.index("</li>")]
    assert "Not sent" in entry and "No such user here" in entry and "Su hipoteca" in entry
    assert rep.get_full_name() in entry
    assert reverse("channels:failed_retry", args=[failed.pk]) in entry  # the Retry button


def test_retry_sends_it_again_once_through_the_same_service(api, smtp, ana, support, emitted):
    failed = _refused_mail(api, smtp, ana, support)
    smtp.refused_domain = ""

    with emitted() as events:
        r = api.post(f"/channels/failed-messages/{failed.pk}/retry")

    assert r.status_code == 200, r.content
    new = Interaction.objects.get(pk=r.json()["id"])
    assert (new.failed, new.subject, new.channel) == (False, "Su hipoteca", "email")
    assert [m.rcpt_tos for m in smtp.messages] == [["ana@refused.example"]]
    text = smtp.messages[0].message.get_content()
    assert text.count("Banco Panorama · 900 100 200") == 1  # signed once, not twice
    assert (
        "message.retried",
        {
            "failed_interaction_id": failed.pk,
            "interaction_id": new.pk,
            "customer_id": ana.pk,
            "by": api.user.pk,
        },
    ) in events
    shown = api.get(f"/channels/failed-messages/{failed.pk}").json()
    assert (shown["retried_as"], shown["retryable"]) == (new.pk, False)

    again = api.post(f"/channels/failed-messages/{failed.pk}/retry")
    assert again.status_code == 409
    assert "already sent again" in again.json()["detail"]
    # When, in the reader's time zone and format, not the stored ISO text.
    retried = Interaction.objects.get(pk=failed.pk).metadata["retried_at"]
    assert retried[:10] not in again.json()["detail"]
    assert len(smtp.messages) == 1


def test_a_retry_refused_again_says_why_and_is_kept(api, smtp, ana, support):
    failed = _refused_mail(api, smtp, ana, support)

    r = api.post(f"/channels/failed-messages/{failed.pk}/retry")

    assert r.status_code == 422
    assert "No such user here" in r.json()["detail"]
    assert Interaction.objects.filter(customer=ana, failed=True).count() == 2
    failed.refresh_from_db()
    assert failed.metadata["retried_as"] is None and "550" in failed.metadata["retry_error"]
    assert failed.retry_claimed_at is None, "the claim is let go when the send fails"
    newest = Interaction.objects.filter(customer=ana, failed=True).exclude(pk=failed.pk).get()
    waiting = api.get("/channels/failed-messages?state=waiting").json()["items"]
    assert [item["id"] for item in waiting] == [newest.pk]


def test_who_may_retry_and_who_sees_the_failure(api, api_as, smtp, ana, support, rep):
    failed = _refused_mail(api, smtp, ana, support)
    smtp.refused_domain = ""
    other = UserFactory(username="sur", role=Role.SALES_REP, teams=[TeamFactory(name="Sur")])
    analyst = UserFactory(username="analyst", role=Role.ANALYST)

    assert api_as(other).get("/channels/failed-messages").json()["items"] == []
    assert api_as(other).post(f"/channels/failed-messages/{failed.pk}/retry").status_code == 404
    refused = api_as(analyst).post(f"/channels/failed-messages/{failed.pk}/retry")
    assert refused.status_code == 403
    assert "not send messages" in refused.json()["detail"]
    # The rep sees it (his team's customer) and may use the shared identity: he sends it.
    assert [i["id"] for i in api_as(rep).get("/channels/failed-messages").json()["items"]] == [
        failed.pk
    ]
    assert api_as(rep).post(f"/channels/failed-messages/{failed.pk}/retry").status_code == 200
    assert len(smtp.messages) == 1


def test_a_personal_identity_is_not_anothers_to_retry_from(api_as, smtp, ana, rep, team):
    mine = SendingIdentity.objects.create(name="Rep", from_address="rep@bank.example", owner=rep)
    failed = _refused_mail(api_as(rep), smtp, ana, mine)
    smtp.refused_domain = ""
    colleague = UserFactory(username="colega", role=Role.SALES_REP, teams=[team])

    r = api_as(colleague).post(f"/channels/failed-messages/{failed.pk}/retry")

    assert r.status_code == 403
    assert "You may not send from" in r.json()["detail"]
    assert smtp.messages == []
    # Refused before sending: the claim is let go, its owner sends it.
    assert api_as(rep).post(f"/channels/failed-messages/{failed.pk}/retry").status_code == 200
    assert len(smtp.messages) == 1


def test_a_refused_text_and_a_failed_delivery_report_are_failed_entries(api, client, account, ana):
    r = api.post(f"/customers/{ana.pk}/messages", json={"account_id": account.pk, "body": "Hola"})
    assert r.status_code == 422
    failed = Interaction.objects.get(customer=ana, failed=True)
    assert (failed.channel, failed.metadata["error"]) == ("sms", "HTTP 400: number not reachable")

    Provider.refusing = False
    retried = api.post(f"/channels/failed-messages/{failed.pk}/retry")
    assert retried.status_code == 200, retried.content
    assert Provider.sent == 1

    body = json.dumps({"type": "status", "id": "prov-1", "status": "failed", "error": "absent"})
    report = client.post(
        f"/api/v1/channels/messaging/{account.pk}/webhook",
        data=body.encode(),
        content_type="application/json",
        headers={"X-Panorama-Signature": signature_for(account.webhook_secret, body.encode())},
    )
    assert report.status_code == 200
    later = Interaction.objects.get(pk=retried.json()["id"])
    assert (later.failed, later.metadata["error"]) == (True, "absent")
    listed = api.get("/channels/failed-messages?channel=sms&state=waiting").json()["items"]
    assert [(i["id"], i["error"], i["retryable"]) for i in listed] == [(later.pk, "absent", True)]


def test_the_page_lists_the_users_failures_filtered_and_retries_them(
    client, api, smtp, ana, support, rep, account
):
    failed = _refused_mail(api, smtp, ana, support)
    api.post(f"/customers/{ana.pk}/messages", json={"account_id": account.pk, "body": "Hola"})
    theirs = CustomerFactory(display_name="Bea Sola", team=TeamFactory(name="Sur"))
    IdentityFactory(customer=theirs, kind="email", value="bea@refused.example")
    _hidden = api.post(
        f"/customers/{theirs.pk}/emails",
        json={"identity_id": support.pk, "subject": "Oculto", "body": "x"},
    )
    client.force_login(rep)

    page = client.get(reverse("channels:failed_list")).content.decode()
    assert "Su hipoteca" in page and "Ana García" in page and "No such user here" in page
    assert "SMS to +34611222333" in page and "Oculto" not in page
    assert reverse("channels:failed_list") in page  # in the sidebar
    only_mail = client.get(reverse("channels:failed_list") + "?channel=email").content.decode()
    assert "Su hipoteca" in only_mail and "SMS to" not in only_mail

    smtp.refused_domain = ""
    back = reverse("customers:detail", args=[ana.pk])
    r = client.post(reverse("channels:failed_retry", args=[failed.pk]), {"next": back})
    assert r.status_code == 302 and r["Location"] == back
    assert len(smtp.messages) == 1
    again = client.post(reverse("channels:failed_retry", args=[failed.pk]), follow=True)
    assert "already sent again" in again.content.decode()
    assert len(smtp.messages) == 1


def test_the_api_refuses_a_bad_filter(api):
    assert api.get("/channels/failed-messages?channel=pigeon").status_code == 422
    assert api.get("/channels/failed-messages?state=maybe").status_code == 422
    assert api.get("/channels/failed-messages?cursor=nope").status_code == 422
    assert api.post("/channels/failed-messages/999999/retry").status_code == 404


class SecondClickDuringSend(EmailBackend):
    """Django's SMTP backend, to the real server; while the first message is on its way
    the test's ``click`` runs (a second click on Retry, in the middle of the first)."""

    click = None

    def send_messages(self, email_messages):
        click, SecondClickDuringSend.click = SecondClickDuringSend.click, None
        if click is not None:
            click()
        return super().send_messages(email_messages)


def test_a_second_click_while_the_first_is_sending_sends_nothing(api, settings, smtp, ana, support):
    failed = _refused_mail(api, smtp, ana, support)
    smtp.refused_domain = ""
    settings.EMAIL_BACKEND = f"{__name__}.SecondClickDuringSend"
    answers = []
    SecondClickDuringSend.click = lambda: answers.append(
        api.post(f"/channels/failed-messages/{failed.pk}/retry")
    )

    first = api.post(f"/channels/failed-messages/{failed.pk}/retry")

    assert first.status_code == 200, first.content
    [second] = answers
    assert second.status_code == 409
    assert "already being sent again" in second.json()["detail"]
    assert [m.rcpt_tos for m in smtp.messages] == [["ana@refused.example"]]
    failed.refresh_from_db()
    assert failed.metadata["retried_as"] == first.json()["id"]
    assert failed.retry_claimed_at is None


def test_a_claim_left_by_a_dead_process_expires(api, client, smtp, ana, support):
    failed = _refused_mail(api, smtp, ana, support)
    smtp.refused_domain = ""
    Interaction.objects.filter(pk=failed.pk).update(retry_claimed_at=timezone.now())
    client.force_login(api.user)
    entry = f'id="interaction-{failed.pk}"'
    page = client.get(reverse("customers:detail", args=[ana.pk])).content.decode()
    page = page[page.index(entry) :]
    assert reverse("channels:failed_retry", args=[failed.pk]) not in page[: page.index("</li>")]

    listed = client.get(reverse("channels:failed_list")).content.decode()
    assert "Being sent again" in listed
    busy = api.post(f"/channels/failed-messages/{failed.pk}/retry")
    assert (busy.status_code, smtp.messages) == (409, [])
    assert "already being sent again" in busy.json()["detail"]

    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    Interaction.objects.filter(pk=failed.pk).update(retry_claimed_at=an_hour_ago)
    assert api.post(f"/channels/failed-messages/{failed.pk}/retry").status_code == 200
    assert len(smtp.messages) == 1


@pytest.mark.django_db(transaction=True)
def test_two_clicks_at_once_on_two_connections_send_it_once(admin_user, api, smtp, ana, support):
    """Two requests at the same moment, each on its own database connection (as two
    worker processes would be): one sends, the other is told it is being sent."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's in-memory test database is not shared between connections")
    failed = _refused_mail(api, smtp, ana, support)
    smtp.refused_domain = ""
    smtp.delay = 1.0  # the server takes its time: both clicks land during the send

    def click(_n):
        try:
            return Client().post(
                f"/api/v1/channels/failed-messages/{failed.pk}/retry",
                headers={"Authorization": f"Bearer {api.key}"},
            )
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(click, range(2)))

    assert sorted(a.status_code for a in answers) == [200, 409]
    refused = next(a for a in answers if a.status_code == 409)
    assert "already being sent again" in refused.json()["detail"]
    assert [m.rcpt_tos for m in smtp.messages] == [["ana@refused.example"]]
    assert Interaction.objects.filter(customer=ana, failed=False).count() == 1


def test_a_long_answer_is_kept_whole_and_shown_short(api, client, account, ana, rep):
    Provider.error = "Gateway rejected the message. " + "detail " * 700  # ~4,900 characters
    r = api.post(f"/customers/{ana.pk}/messages", json={"account_id": account.pk, "body": "Hola"})
    assert r.status_code == 422
    whole = f"HTTP 400: {Provider.error}"
    failed = Interaction.objects.get(customer=ana, failed=True)
    assert failed.metadata["error"] == whole
    assert TextMessage.objects.get().error == whole
    assert api.get(f"/channels/failed-messages/{failed.pk}").json()["error"] == whole

    client.force_login(rep)
    for url in (reverse("customers:detail", args=[ana.pk]), reverse("channels:failed_list")):
        page = client.get(url).content.decode()
        assert page.count("detail detail") > 1  # the start, then the whole in <details>
        assert f"The whole reason ({len(whole):,} characters)" in page
        shown = page[page.index("HTTP 400: Gateway") :]
        assert "…" in shown[:400], "the start is shown, cut where it says so"
        assert whole[-60:] in page, "the whole reason is a click away"


def test_an_answer_past_the_bound_says_how_much_was_left_out():
    huge = "x" * (REASON_MAX + 12_345)
    kept = reason_kept(huge)
    assert len(kept) <= REASON_MAX
    more = len(huge) - kept.index("…")
    assert kept.endswith(f"… ({more:,} more characters)")
    assert reason_kept("short answer") == "short answer"
