"""The browser tests' own waits (tests/browser/checks.py, test_walk._open): they wait on
the page's state, not a fixed time, and still see what arrives late or changes slowly."""

from tests.browser.checks import violations
from tests.browser.test_walk import _open

# Text that fades to a grey too light to read on white, over 3 s once it is told to.
_FADING = """<!doctype html><html lang="en"><head><title>Fading</title><style>
  p { color: #000; transition: color 3s linear; }
  p.faint { color: #ddd; }
</style></head><body><main><h1>Fading</h1><p id="t">Barely readable in the end</p></main>
</body></html>"""

# An image without a text alternative, fetched after the load event, answered 1.5 s later.
_LATE = """<!doctype html><html lang="en"><head><title>Late</title></head>
<body><main><h1>Late</h1><div id="late"></div></main>
<script>addEventListener('load', () => fetch('/late/part').then(r => r.text())
  .then(html => { document.getElementById('late').innerHTML = html; }));</script>
</body></html>"""


def _serve(page, url: str, body: str, delay_ms: int = 0) -> None:
    def answer(route):
        if delay_ms:
            page.wait_for_timeout(delay_ms)  # the browser goes on meanwhile
        route.fulfill(content_type="text/html", body=body)

    page.route(url, answer)


def test_axe_reads_the_colours_once_a_transition_has_ended(page, live_server):
    _serve(page, f"{live_server.url}/fading/", _FADING)
    page.goto(f"{live_server.url}/fading/")
    assert violations(page) == []  # black on white (and axe is in the page from now on)
    page.evaluate("document.getElementById('t').classList.add('faint')")
    assert [v.split(" ")[0] for v in violations(page)] == ["color-contrast"]


def test_a_page_is_opened_once_what_it_fetches_after_loading_has_arrived(page, live_server):
    _serve(page, f"{live_server.url}/late/", _LATE)
    _serve(page, f"{live_server.url}/late/part", '<img src="data:," width="9" height="9">', 1500)
    _open(page, f"{live_server.url}/late/")
    assert page.locator("#late img").count() == 1
    assert [v.split(" ")[0] for v in violations(page)] == ["image-alt"]
