"""The visual builder keeps every part of a condition it draws: a segment re-saved from
its page (the form posted as the browser sends it) means what it meant before."""

import datetime
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from panorama.marketing.models import Segment
from panorama.marketing.services.segments import segment_save
from tests.factories import InteractionFactory

pytestmark = pytest.mark.django_db

SALES_LAST_90_DAYS = {
    "op": "and",
    "rules": [
        {
            "field": "contacted",
            "op": "within_days",
            "value": 90,
            "channel": "phone",
            "outcome": "sale",
        },
    ],
}


class _Form(HTMLParser):
    """The fields a browser posts from the page's ``#segment-form``."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self._inside = False
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._inside = a.get("id") == "segment-form"
        if not self._inside or "name" not in a and tag != "option":
            return
        if tag == "input":
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data[a["name"]] = a.get("value", "on")
        elif tag == "select":
            self._select = a["name"]
            self.data.setdefault(a["name"], "")
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.data[a["name"]] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._inside = False

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def _posted_form(html: str) -> dict[str, str]:
    form = _Form()
    form.feed(html)
    return form.data


def test_the_outcome_of_a_contact_survives_a_save_from_the_page(world, client, marketer):
    ago = timezone.now() - datetime.timedelta(days=10)
    InteractionFactory(customer=world["ana"], occurred_at=ago, outcome="sale")
    InteractionFactory(customer=world["luis"], occurred_at=ago, outcome="callback")
    segment = segment_save(by=marketer, name="Ventas", rules=SALES_LAST_90_DAYS)
    client.force_login(marketer)

    page = client.get(f"/marketing/segments/{segment.pk}/").content.decode()
    assert "data-segment-count>1<" in page  # Ana's sale, not Luis's call back
    form = _posted_form(page)
    assert form["mode"] == "builder" and form["f0"] == "contacted"
    saved = client.post(f"/marketing/segments/{segment.pk}/", form)

    assert saved.status_code == 302
    rule = Segment.objects.get(pk=segment.pk).rules["rules"][0]
    assert rule["outcome"] == "sale" and rule["channel"] == "phone" and rule["value"] == 90
    again = client.get(f"/marketing/segments/{segment.pk}/").content.decode()
    assert "data-segment-count>1<" in again


def test_the_builder_counts_by_outcome_while_editing(world, client, marketer):
    ago = timezone.now() - datetime.timedelta(days=10)
    InteractionFactory(customer=world["ana"], occurred_at=ago, outcome="Sale")
    InteractionFactory(customer=world["luis"], occurred_at=ago, outcome="callback")
    client.force_login(marketer)
    form = {
        "mode": "builder",
        "match": "and",
        "f0": "contacted",
        "o0": "within_days",
        "v0": "60",
        "c0": "",
    }
    # Carlos was called a month ago in the world too: three without an outcome.
    assert b"data-segment-count>3<" in client.post("/marketing/segments/count/", form).content
    redrawn = client.post("/marketing/segments/builder/", {**form, "oc0": "sale"})
    assert 'name="oc0"' in redrawn.content.decode() and b"data-segment-count>1<" in redrawn.content


# "(a current account AND NOT (a card OR called in the last 90 days)) OR no account"
NESTED = {
    "op": "or",
    "rules": [
        {
            "op": "and",
            "rules": [
                {"field": "holding", "op": "has", "value": "ACC-NOM"},
                {
                    "op": "not",
                    "rule": {
                        "op": "or",
                        "rules": [
                            {"field": "holding", "op": "has", "value": "CARD-CR"},
                            {"field": "contacted", "op": "within_days", "value": 90},
                        ],
                    },
                },
            ],
        },
        {"op": "not", "rule": {"field": "holding", "op": "has", "value": "ACC-NOM"}},
    ],
}


def test_nested_groups_survive_a_save_from_the_page(world, client, marketer):
    # Ana (called 200 days ago), Luis, Eva and Félix fit the first group; Dora has no
    # account; Bea holds a card and Carlos was called a month ago.
    segment = segment_save(by=marketer, name="Anidado", rules=NESTED)
    before = Segment.objects.get(pk=segment.pk).rules
    client.force_login(marketer)

    page = client.get(f"/marketing/segments/{segment.pk}/").content.decode()
    assert "data-segment-count>5<" in page
    assert page.count("data-group") == 2 and 'name="rules_json"' not in page
    form = _posted_form(page)
    assert form["g0"] == "and" and form["g2"] == "or" and form["n2"] == "on"
    assert form["p3"] == "2" and form["p1"] == "0" and form["p5"] == ""
    saved = client.post(f"/marketing/segments/{segment.pk}/", form)

    assert saved.status_code == 302
    assert Segment.objects.get(pk=segment.pk).rules == before
    assert before["rules"][0]["rules"][1]["rule"]["op"] == "or"  # still nested, negated


def test_groups_are_added_and_removed_with_their_conditions(world, client, marketer):
    client.force_login(marketer)
    form = {"mode": "builder", "match": "and", "f0": "holding", "o0": "has", "v0": "ACC-NOM"}

    added = client.post("/marketing/segments/builder/", {**form, "action": "group"})
    drawn = _posted_form(f'<form id="segment-form">{added.content.decode()}</form>')
    # The group, then the condition it starts with (its field has the focus).
    assert drawn["g1"] == "and" and drawn["p2"] == "1" and drawn["f2"] == "holding"
    assert 'id="g1-and" value="and" checked autofocus' in added.content.decode()
    inner = {**drawn, "v2": "CARD-CR", "n1": "on", "action": "group:1"}
    deeper = client.post("/marketing/segments/builder/", inner).content.decode()
    # A group inside the group, and no "add a group" deeper than the builder draws.
    assert 'name="p4" value="3"' in deeper and "Add a group inside group 2" not in deeper
    # Account holders without a card: Ana, Luis, Carlos, Eva, Félix.
    counted = client.post("/marketing/segments/count/", {**drawn, "v2": "CARD-CR", "n1": "on"})
    assert b"data-segment-count>5<" in counted.content

    removed = client.post("/marketing/segments/builder/", {**drawn, "action": "remove:1"})
    after = _posted_form(f'<form id="segment-form">{removed.content.decode()}</form>')
    assert "g1" not in after and "f2" not in after and after["f0"] == "holding"
    assert b"data-segment-count>6<" in removed.content
