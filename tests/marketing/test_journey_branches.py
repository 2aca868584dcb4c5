"""Journey branches: "wait until the customer opens (or clicks) the journey's last e-mail,
or buys, or N days": who does takes the yes path at once, the others after the days the
no path; both go on with the step after the branch. The e-mails go through the real
SMTP server and the opens and clicks come back through their signed pixel and links, as
from a mail client; the worker's background task follows the branch."""

import datetime
import re

import pytest
from django.utils import timezone

from panorama.channels.models import Interaction
from panorama.core.exceptions import ValidationFailed
from panorama.marketing.models import Enrolment, JourneyMessage, ListMembership, StaticList
from panorama.marketing.selectors import journey_report
from panorama.marketing.services import journeys as svc
from panorama.marketing.services.segments import list_members_change
from panorama.marketing.services.templates import template_save
from panorama.marketing.tasks import journeys_advance_task
from panorama.sales.models import Order

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def _template(by, name, body="Hola."):
    return template_save(by=by, name=name, subject_es=name, body_es=body)


@pytest.fixture
def nudge(marketer):
    """Joining "Promo": the offer (with a link), then after 2 days: opened it? yes →
    "Gracias", no → "Recordatorio"; everyone then joins "Seguimiento"."""
    promo = StaticList.objects.create(name="Promo")
    follow = StaticList.objects.create(name="Seguimiento")
    offer = _template(marketer, "Oferta", "Mira https://bank.example/oferta ya.")
    journey = svc.journey_save(
        by=marketer, name="Empujón", trigger="list_joined", trigger_list=promo.pk
    )
    svc.step_add(by=marketer, journey=journey, kind="send", config={"template": offer.pk})
    branch = svc.step_add(
        by=marketer, journey=journey, kind="branch", config={"test": "opened", "days": 2}
    )
    svc.step_add(by=marketer, journey=journey, kind="add_to_list", config={"list": follow.pk})
    thanks, reminder = _template(marketer, "Gracias"), _template(marketer, "Recordatorio")
    for path, template in (("yes", thanks), ("no", reminder)):
        svc.step_add(
            by=marketer,
            journey=journey,
            kind="send",
            config={"template": template.pk},
            parent=branch.pk,
            path=path,
        )
    svc.journey_set_status(by=marketer, journey=journey, status="active")
    return {"journey": journey, "list": promo, "follow": follow, "branch": branch}


def _subjects(smtp, address):
    return [m["Subject"] for m in smtp.to(address)]


def _link(message, pattern):
    html = message.get_body(("html",)).get_content()
    plain = message.get_body(("plain",)).get_content()
    found = re.search(rf"https://crm\.example\.com(/marketing/{pattern}/[^\"\s<]+/)", html + plain)
    assert found is not None, f"no /marketing/{pattern}/ link in the e-mail"
    return found.group(1)


def _wait_is_over():
    """The days went by: the due enrolments are due now (the task runs at real time)."""
    Enrolment.objects.filter(status="active").update(due_at=timezone.now() - DAY)


def test_opened_takes_the_yes_path_through_the_background_task(
    client, smtp, marketer, world, nudge
):
    ana, luis, bea = world["ana"], world["luis"], world["bea"]
    list_members_change(by=marketer, static_list=nudge["list"], add=[ana.pk, luis.pk, bea.pk])
    journeys_advance_task.enqueue()
    assert _subjects(smtp, "ana@example.com") == ["Oferta"]

    # Ana's mail client loads the pixel; Luis follows the link (a click proves the open).
    pixel = client.get(_link(smtp.to("ana@example.com")[0], "jo"))
    assert pixel.status_code == 200 and pixel["Content-Type"] == "image/gif"
    plain = smtp.to("luis@example.com")[0].get_body(("plain",)).get_content()
    assert "https://bank.example/oferta" not in plain  # the link is a tracked one
    followed = client.get(_link(smtp.to("luis@example.com")[0], "jc"))
    assert followed.status_code == 302 and followed["Location"] == "https://bank.example/oferta"
    assert Interaction.objects.filter(customer=ana, outcome="opened").count() == 1

    journeys_advance_task.enqueue()  # Ana and Luis opened: their wait ends at once
    assert _subjects(smtp, "ana@example.com") == ["Oferta", "Gracias"]
    assert _subjects(smtp, "bea@example.com") == ["Oferta"]  # Bea waits her 2 days
    _wait_is_over()
    journeys_advance_task.enqueue()

    assert _subjects(smtp, "ana@example.com") == ["Oferta", "Gracias"]
    assert _subjects(smtp, "luis@example.com") == ["Oferta", "Gracias"]
    assert _subjects(smtp, "bea@example.com") == ["Oferta", "Recordatorio"]
    # Both paths go on with the step after the branch, then the journey ends.
    assert ListMembership.objects.filter(static_list=nudge["follow"]).count() == 3
    assert set(Enrolment.objects.values_list("status", flat=True)) == {"done"}
    said = [entry["what"] for entry in Enrolment.objects.get(customer=bea).log]
    assert any(what.startswith("No") for what in said)


def test_a_second_open_or_a_tampered_link_changes_nothing(client, smtp, marketer, world, nudge):
    ana = world["ana"]
    list_members_change(by=marketer, static_list=nudge["list"], add=[ana.pk])
    svc.journeys_advance()
    pixel = _link(smtp.to("ana@example.com")[0], "jo")
    client.get(pixel)
    first = JourneyMessage.objects.get().opened_at
    client.get(pixel)

    assert JourneyMessage.objects.get().opened_at == first
    assert Interaction.objects.filter(customer=ana, outcome="opened").count() == 1
    assert client.get(pixel[:-4] + "xyz/").status_code == 400
    click = _link(smtp.to("ana@example.com")[0], "jc")
    assert client.get(click[:-4] + "xyz/").status_code == 400
    # An open token is not a click token.
    assert client.get(pixel.replace("/jo/", "/jc/")).status_code == 400


@pytest.mark.parametrize("test", ["clicked", "bought"])
def test_clicked_and_bought_branches(client, smtp, marketer, world, test):
    ana, bea = world["ana"], world["bea"]
    Order.objects.create(customer=bea, status="delivered", currency="EUR", total=90)  # before
    promo = StaticList.objects.create(name="Promo")
    journey = svc.journey_save(
        by=marketer, name="Compra", trigger="list_joined", trigger_list=promo.pk
    )
    offer = _template(marketer, "Oferta", "Mira https://bank.example/oferta ya.")
    svc.step_add(by=marketer, journey=journey, kind="send", config={"template": offer.pk})
    branch = svc.step_add(
        by=marketer, journey=journey, kind="branch", config={"test": test, "days": 3}
    )
    svc.step_add(
        by=marketer,
        journey=journey,
        kind="send",
        config={"template": _template(marketer, "Premio").pk},
        parent=branch.pk,
        path="yes",
    )  # the no path is empty: those customers go on (and finish)
    svc.journey_set_status(by=marketer, journey=journey, status="active")
    list_members_change(by=marketer, static_list=promo, add=[ana.pk, bea.pk])
    svc.journeys_advance()

    if test == "clicked":
        client.get(_link(smtp.to("ana@example.com")[0], "jo"))  # bea only opens
        client.get(_link(smtp.to("ana@example.com")[0], "jc"))
        client.get(_link(smtp.to("bea@example.com")[0], "jo"))
    else:
        Order.objects.create(customer=ana, status="confirmed", currency="EUR", total=30)
        Order.objects.create(customer=bea, status="cancelled", currency="EUR", total=30)
    svc.journeys_advance(now=timezone.now() + 3 * DAY + datetime.timedelta(minutes=1))

    assert _subjects(smtp, "ana@example.com") == ["Oferta", "Premio"]
    assert _subjects(smtp, "bea@example.com") == ["Oferta"]
    assert set(Enrolment.objects.values_list("status", flat=True)) == {"done"}


def test_removing_a_branch_moves_its_customers_on(smtp, marketer, world, nudge):
    ana = world["ana"]
    list_members_change(by=marketer, static_list=nudge["list"], add=[ana.pk])
    svc.journeys_advance()
    run = Enrolment.objects.get(customer=ana)
    assert run.step_id == nudge["branch"].pk and run.branch_since is not None

    svc.step_remove(by=marketer, step=nudge["branch"])

    run.refresh_from_db()
    assert run.step is not None and run.step.kind == "add_to_list"
    assert run.branch_since is None
    assert [r["step"].kind for r in journey_report(journey=nudge["journey"])["steps"]] == [
        "send",
        "add_to_list",
    ]


def test_the_report_reads_the_branch_in_order(marketer, nudge):
    rows = journey_report(journey=nudge["journey"])["steps"]
    assert [(r["step"].kind, r["level"], r["path"]) for r in rows] == [
        ("send", 0, ""),
        ("branch", 0, ""),
        ("send", 1, "yes"),
        ("send", 1, "no"),
        ("add_to_list", 0, ""),
    ]
    assert "opened the previous e-mail" in rows[1]["label"]


def test_bad_branches_are_refused(marketer, nudge):
    journey, branch = nudge["journey"], nudge["branch"]
    with pytest.raises(ValidationFailed) as bad_test:
        svc.step_add(by=marketer, journey=journey, kind="branch", config={"test": "liked"})
    assert bad_test.value.field == "config.test"
    with pytest.raises(ValidationFailed) as bad_days:
        svc.step_add(
            by=marketer, journey=journey, kind="branch", config={"test": "opened", "days": 999}
        )
    assert bad_days.value.field == "config.days"
    wait = svc.step_add(by=marketer, journey=journey, kind="wait", config={"days": 1})
    with pytest.raises(ValidationFailed) as not_a_branch:
        svc.step_add(
            by=marketer,
            journey=journey,
            kind="wait",
            config={"days": 1},
            parent=wait.pk,
            path="yes",
        )
    assert not_a_branch.value.field == "parent"
    with pytest.raises(ValidationFailed) as no_path:
        svc.step_add(
            by=marketer, journey=journey, kind="wait", config={"days": 1}, parent=branch.pk
        )
    assert no_path.value.field == "path"
    # Branches nest three deep at most.
    parent = branch
    for _level in range(2):
        parent = svc.step_add(
            by=marketer,
            journey=journey,
            kind="branch",
            config={"test": "bought", "days": 1},
            parent=parent.pk,
            path="no",
        )
    svc.step_add(
        by=marketer, journey=journey, kind="wait", config={"days": 1}, parent=parent.pk, path="no"
    )
    with pytest.raises(ValidationFailed):
        svc.step_add(
            by=marketer,
            journey=journey,
            kind="branch",
            config={"test": "bought", "days": 1},
            parent=parent.pk,
            path="yes",
        )


def test_an_opened_branch_needs_an_email_before_it(marketer):
    promo = StaticList.objects.create(name="Promo")
    journey = svc.journey_save(
        by=marketer, name="Mal", trigger="list_joined", trigger_list=promo.pk
    )
    svc.step_add(by=marketer, journey=journey, kind="branch", config={"test": "opened", "days": 1})

    with pytest.raises(ValidationFailed, match="needs an e-mail sent before it"):
        svc.journey_set_status(by=marketer, journey=journey, status="active")
    offer = _template(marketer, "Oferta")
    svc.step_add(
        by=marketer, journey=journey, kind="send", config={"template": offer.pk}, position=0
    )
    assert svc.journey_set_status(by=marketer, journey=journey, status="active").status == "active"


def test_the_api_adds_branches_and_refuses_bad_ones(api_as, marketer, nudge):
    api = api_as(marketer)
    jid, branch = nudge["journey"].pk, nudge["branch"]
    url = f"/api/v1/marketing/journeys/{jid}/steps"

    assert api.post(url, {"kind": "branch", "config": {"test": "x", "days": 1}}).status_code == 422
    bad_parent = api.post(url, {"kind": "wait", "config": {"days": 1}, "parent": 999999})
    assert bad_parent.status_code == 422 and "parent" in bad_parent.content.decode()
    bad_path = api.post(
        url, {"kind": "wait", "config": {"days": 1}, "parent": branch.pk, "path": "maybe"}
    )
    assert bad_path.status_code == 422
    made = api.post(url, {"kind": "wait", "config": {"days": 1}, "parent": branch.pk, "path": "no"})
    assert made.status_code == 201 and made.json()["path"] == "no"

    steps = api.get(f"/api/v1/marketing/journeys/{jid}").json()["steps"]
    nested = [s for s in steps if s["parent_id"] == branch.pk]
    assert [(s["path"], s["kind"], s["level"]) for s in nested] == [
        ("yes", "send", 1),
        ("no", "send", 1),
        ("no", "wait", 1),
    ]


def test_the_editor_adds_a_branch_and_a_step_on_its_path(client, marketer, nudge):
    client.force_login(marketer)
    journey = nudge["journey"]
    url = f"/marketing/journeys/{journey.pk}/steps/"
    headers = {"HX-Request": "true"}

    page = client.post(url, {"kind": "branch", "test": "bought", "days": "5"}, headers=headers)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Wait until the customer has bought since entering the journey, at most 5 days" in html
    branch = journey.steps.get(kind="branch", config__test="bought")
    assert f'value="{branch.pk}:yes"' in html and f'value="{branch.pk}:no"' in html

    added = client.post(
        url, {"kind": "wait", "days": "4", "where": f"{branch.pk}:yes"}, headers=headers
    )
    assert added.status_code == 200
    assert journey.steps.get(parent=branch).path == "yes"
    assert re.search(r'data-level="1" data-path="yes"', added.content.decode())

    bad = client.post(url, {"kind": "branch", "test": "", "days": "2"}, headers=headers)
    assert bad.status_code == 422 and b"data-error" in bad.content


def _token(path):
    return path.rstrip("/").rsplit("/", 1)[1]


def test_the_first_open_and_click_emit_journey_events_once(smtp, marketer, world, nudge, emitted):
    ana, luis = world["ana"], world["luis"]
    list_members_change(by=marketer, static_list=nudge["list"], add=[ana.pk, luis.pk])
    svc.journeys_advance()
    ana_mail, luis_mail = smtp.to("ana@example.com")[0], smtp.to("luis@example.com")[0]
    ana_sent = JourneyMessage.objects.get(enrolment__customer=ana)
    keys = {
        "journey_id": nudge["journey"].pk,
        "customer_id": ana.pk,
        "enrolment_id": ana_sent.enrolment_id,
        "message_id": ana_sent.pk,
        "step_id": ana_sent.step_id,
    }

    with emitted() as events:
        for _twice in range(2):
            svc.journey_message_open(token=_token(_link(ana_mail, "jo")))
            svc.journey_message_click(token=_token(_link(ana_mail, "jc")))
    tracked = [e for e in events if e[0] in ("journey.opened", "journey.clicked")]
    assert tracked == [
        ("journey.opened", keys),
        ("journey.clicked", {**keys, "url": "https://bank.example/oferta"}),
    ]

    # Luis's client never loads the pixel: his first click is his open as well.
    with emitted() as events:
        svc.journey_message_click(token=_token(_link(luis_mail, "jc")))
    assert [name for name, _p in events if name.startswith("journey.")] == [
        "journey.opened",
        "journey.clicked",
    ]


def test_the_wait_at_a_branch_ends_as_soon_as_the_customer_buys(smtp, marketer, world):
    """ "Wait until he buys, or 5 days": Ana's order ends her wait at the next sweep (not
    5 days later) and takes her down the yes path; Bea, who did not buy, still waits."""
    ana, bea = world["ana"], world["bea"]
    promo = StaticList.objects.create(name="Promo")
    journey = svc.journey_save(
        by=marketer, name="Compra", trigger="list_joined", trigger_list=promo.pk
    )
    offer = _template(marketer, "Oferta")
    svc.step_add(by=marketer, journey=journey, kind="send", config={"template": offer.pk})
    branch = svc.step_add(
        by=marketer, journey=journey, kind="branch", config={"test": "bought", "days": 5}
    )
    svc.step_add(
        by=marketer,
        journey=journey,
        kind="send",
        config={"template": _template(marketer, "Premio").pk},
        parent=branch.pk,
        path="yes",
    )
    svc.journey_set_status(by=marketer, journey=journey, status="active")
    list_members_change(by=marketer, static_list=promo, add=[ana.pk, bea.pk])
    svc.journeys_advance()
    svc.journeys_advance()  # nothing happened yet: both keep waiting
    assert _subjects(smtp, "ana@example.com") == ["Oferta"]
    assert svc.branches_met() == 0

    Order.objects.create(customer=ana, status="confirmed", currency="EUR", total=30)
    Order.objects.create(customer=bea, status="draft", currency="EUR", total=30)
    svc.journeys_advance()

    assert _subjects(smtp, "ana@example.com") == ["Oferta", "Premio"]
    assert _subjects(smtp, "bea@example.com") == ["Oferta"]
    run = Enrolment.objects.get(customer=ana)
    assert run.status == "done"
    assert any("before the 5 days were over" in entry["what"] for entry in run.log)
    waiting = Enrolment.objects.get(customer=bea)
    assert waiting.status == "active" and waiting.step_id == branch.pk
    assert waiting.due_at > timezone.now() + 4 * DAY


def test_the_editor_names_the_branch_by_what_it_waits_for(client, marketer, nudge):
    """The step list says a branch waits until the customer opens, clicks or buys, or N
    days (not "after a wait"), in English and in Spanish."""
    from django.utils import translation

    from panorama.marketing.models import JourneyStep

    client.force_login(marketer)
    page = client.get(f"/marketing/journeys/{nudge['journey'].pk}/").content.decode()
    assert (
        '<option value="branch">Branch: wait until the customer opens, clicks or buys, '
        "or N days</option>" in page
    )
    assert "after a wait" not in page
    assert 'aria-describedby="step-days-help"' in page and "A branch: the longest wait" in page
    with translation.override("es"):
        label = str(JourneyStep.Kind.BRANCH.label)
    assert label == "Bifurcación: esperar a que el cliente abra, haga clic o compre, o N días"


def _dispatch():
    """The worker's outbox dispatcher delivering what is pending (no journeys' tick)."""
    from panorama.core.outbox import outbox_dispatch

    while outbox_dispatch():
        pass


def test_an_open_moves_the_waiting_customer_on_at_once(client, smtp, marketer, world, nudge):
    """Ana's mail client loads the pixel: the outbox delivers the open and she gets the
    yes path's e-mail right away, with no sweep; Bea, who never opens, gets the no
    path's when her 2 days are over."""
    ana, bea = world["ana"], world["bea"]
    list_members_change(by=marketer, static_list=nudge["list"], add=[ana.pk, bea.pk])
    svc.journeys_advance()
    assert Enrolment.objects.get(customer=ana).step_id == nudge["branch"].pk

    client.get(_link(smtp.to("ana@example.com")[0], "jo"))
    _dispatch()

    assert _subjects(smtp, "ana@example.com") == ["Oferta", "Gracias"]
    run = Enrolment.objects.get(customer=ana)
    assert run.status == "done"
    assert any("before the 2 days were over" in entry["what"] for entry in run.log)
    assert _subjects(smtp, "bea@example.com") == ["Oferta"]
    waiting = Enrolment.objects.get(customer=bea)
    assert waiting.step_id == nudge["branch"].pk and waiting.due_at > timezone.now() + DAY

    _dispatch()  # delivered once: nothing more happens
    assert _subjects(smtp, "ana@example.com") == ["Oferta", "Gracias"]
    _wait_is_over()
    journeys_advance_task.enqueue()
    assert _subjects(smtp, "bea@example.com") == ["Oferta", "Recordatorio"]
    assert Enrolment.objects.get(customer=bea).status == "done"


def test_a_confirmed_order_moves_the_waiting_customer_on_at_once(smtp, marketer, admin_user, world):
    """ "Wait until he buys, or 5 days": confirming Ana's order sends her the yes path's
    e-mail through the outbox, no sweep; a draft order of Bea's does not."""
    from panorama.sales.services.order import order_transition

    ana, bea = world["ana"], world["bea"]
    promo = StaticList.objects.create(name="Promo")
    journey = svc.journey_save(
        by=marketer, name="Compra", trigger="list_joined", trigger_list=promo.pk
    )
    svc.step_add(
        by=marketer, journey=journey, kind="send", config={"template": _template(marketer, "A").pk}
    )
    branch = svc.step_add(
        by=marketer, journey=journey, kind="branch", config={"test": "bought", "days": 5}
    )
    svc.step_add(
        by=marketer,
        journey=journey,
        kind="send",
        config={"template": _template(marketer, "Premio").pk},
        parent=branch.pk,
        path="yes",
    )
    svc.journey_set_status(by=marketer, journey=journey, status="active")
    list_members_change(by=marketer, static_list=promo, add=[ana.pk, bea.pk])
    svc.journeys_advance()
    ana_order = Order.objects.create(customer=ana, status="draft", currency="EUR", total=30)
    Order.objects.create(customer=bea, status="draft", currency="EUR", total=30)
    _dispatch()
    assert _subjects(smtp, "ana@example.com") == ["A"]

    order_transition(by=admin_user, order_id=ana_order.pk, to="confirmed")
    _dispatch()

    assert _subjects(smtp, "ana@example.com") == ["A", "Premio"]
    assert Enrolment.objects.get(customer=ana).status == "done"
    assert _subjects(smtp, "bea@example.com") == ["A"]
    assert Enrolment.objects.get(customer=bea).step_id == branch.pk
