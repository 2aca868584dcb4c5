"""No HTMX fragment gives one id to two elements, and none brings an id the page it is
swapped into already has outside the region it replaces: a label, an HTMX target, an
aria-* reference or a tab would find the first of the two only.

The routes come from the URL resolver (the same walk and the same made-once objects as
tests/accounts/test_auth_required.py), so a fragment added later is checked without
touching this file. Each GET route is asked for twice, as a page and as HTMX asks for it
(``HX-Request``); an answer without ``<html`` is a fragment. The page it lands in is
knowable when the same URL answers a whole page (the list, the ficha's tab: the fragment
replaces the element of the page that has its root's id), or when a page of the walk
names the fragment's URL in an ``hx-get`` with its ``hx-target`` (the region replaced).
"""

from collections import Counter
from html.parser import HTMLParser

import pytest

from tests.accounts.test_auth_required import PUBLIC_WEB, WEB_ROUTES, Route, _params, _url
from tests.factories import AdminFactory
from tests.made_once import made_once

pytestmark = pytest.mark.django_db

VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
}  # fmt: skip
# Routes that answer a stream, a file or a redirect whatever the header: not HTML.
GET_ROUTES = [
    r
    for r in WEB_ROUTES
    if r.name not in PUBLIC_WEB
    and not r.route.startswith("admin/")
    and r.pattern.callback.__module__.startswith("panorama.")
]


class Element:
    def __init__(self, tag: str, attrs: dict, parent: "Element | None"):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Element] = []

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


class _Tree(HTMLParser):
    """A forgiving tree of the elements (the stdlib parser: no lxml here)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {}, None)
        self.open = self.root

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {k: v or "" for k, v in attrs}, self.open)
        self.open.children.append(element)
        if tag not in VOID:
            self.open = element

    def handle_startendtag(self, tag, attrs):
        self.open.children.append(Element(tag, {k: v or "" for k, v in attrs}, self.open))

    def handle_endtag(self, tag):
        node = self.open
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.open = node.parent


def tree(html: str) -> Element:
    parser = _Tree()
    parser.feed(html)
    parser.close()
    return parser.root


def ids(root: Element, *, outside=(), keep_outside: bool = False) -> list:
    """The ids under ``root``, each as often as given; ``outside``: leaving out those
    elements' descendants (and the elements themselves unless ``keep_outside``)."""
    found = []

    def visit(node):
        if any(node is o for o in outside):
            if keep_outside and node.attrs.get("id"):
                found.append(node.attrs["id"])
            return
        if node.attrs.get("id"):
            found.append(node.attrs["id"])
        for child in node.children:
            visit(child)

    visit(root)
    return found


def twice(found: list) -> list:
    return sorted(i for i, n in Counter(found).items() if n > 1)


def _inherited(node: Element, attr: str) -> str:
    while node is not None:
        if attr in node.attrs:
            return node.attrs[attr]
        node = node.parent
    return ""


def _by_id(root: Element, element_id: str) -> Element | None:
    return next((e for e in root.walk() if e.attrs.get("id") == element_id), None)


def _landing(page: Element, hx_get: Element) -> tuple[Element, bool] | None:
    """The element an ``hx-get`` replaces in ``page`` and whether it keeps its own id
    (innerHTML) or not (outerHTML); None when its target is not a plain ``#id``."""
    if _inherited(hx_get, "hx-select"):
        return None  # only a part of the answer lands
    target = _inherited(hx_get, "hx-target") or "this"
    swap = (_inherited(hx_get, "hx-swap") or "innerHTML").split()[0]
    if target == "this":
        element = hx_get
    elif target.startswith("#") and " " not in target:
        element = _by_id(page, target[1:])
    else:
        return None
    if element is None or swap not in ("innerHTML", "outerHTML"):
        return None
    return element, swap == "innerHTML"


@pytest.fixture(scope="module")
def answers(django_db_setup, django_db_blocker):
    """Every GET route asked for as a page and as a fragment, by one administrator."""
    from django.test import Client

    with made_once(django_db_blocker):
        admin = AdminFactory(username="admin")
        params = _params(admin)
        client = Client()
        client.force_login(admin)
        found: dict[str, dict] = {}
        for route in GET_ROUTES:
            url = _url(route, params)
            page = client.get(url)
            fragment = client.get(url, headers={"HX-Request": "true"})
            found[route.name] = {
                "url": url,
                "page": _html(page),
                "fragment": _html(fragment),
            }
        yield found


def _html(response) -> str | None:
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return None
    if getattr(response, "streaming", False):
        return None
    return response.content.decode()


def _is_fragment(html: str | None) -> bool:
    return html is not None and "<html" not in html[:2000].lower()


def test_the_walk_finds_fragments(answers):
    fragments = [name for name, a in answers.items() if _is_fragment(a["fragment"])]
    assert len(fragments) > 20
    assert {"customers:search", "channels:timeline"} <= set(fragments)


@pytest.mark.parametrize("route", GET_ROUTES, ids=lambda r: r.name)
def test_no_fragment_gives_an_id_twice(answers, route: Route):
    fragment = answers[route.name]["fragment"]
    if not _is_fragment(fragment):
        pytest.skip("not a fragment")
    assert twice(ids(tree(fragment))) == [], answers[route.name]["url"]


def _pages_loading(answers, url: str):
    """(page tree, the element replaced, keeps its id) for each page of the walk whose
    ``hx-get`` names ``url``."""
    for answer in answers.values():
        page = answer["page"]
        if not page or "<html" not in page[:2000].lower() or f'hx-get="{url}' not in page:
            continue
        root = tree(page)
        for element in root.walk():
            if element.attrs.get("hx-get", "").split("?")[0] == url:
                landing = _landing(root, element)
                if landing:
                    yield root, *landing


@pytest.mark.parametrize("route", GET_ROUTES, ids=lambda r: r.name)
def test_no_fragment_brings_an_id_its_page_has_outside_its_region(answers, route: Route):
    answer = answers[route.name]
    fragment = answer["fragment"]
    if not _is_fragment(fragment):
        pytest.skip("not a fragment")
    bits = tree(fragment)
    # An out-of-band element (hx-swap-oob) replaces its namesake in the page: not a clash.
    oob = [e for e in bits.walk() if "hx-swap-oob" in e.attrs and e.attrs.get("id")]
    brought = set(ids(bits, outside=oob))
    landings = []
    page = answer["page"]
    if page and "<html" in page[:2000].lower():
        # The same URL as a page: the fragment replaces its root's element there.
        page_tree = tree(page)
        for top in bits.children:
            element = _by_id(page_tree, top.attrs.get("id", "")) if top.attrs.get("id") else None
            if element is not None:
                landings.append((page_tree, element, False))
    landings.extend(_pages_loading(answers, answer["url"]))
    if not landings:
        pytest.skip("the page it lands in is not knowable from the walk")
    for page_tree, element, keeps_id in landings:
        replaced = [element] + [
            e for e in (_by_id(page_tree, o.attrs["id"]) for o in oob) if e is not None
        ]
        clash = brought & set(ids(page_tree, outside=replaced, keep_outside=keeps_id))
        assert clash == set(), f"{answer['url']} into #{element.attrs.get('id', '?')}"
