"""The bench's UI figures (issue 14): the customer list's Largest Contentful Paint and
Cumulative Layout Shift in Chromium, the Ctrl+K palette's server time, and what a "load
more" page far down the list costs against the second page (keyset paging: it should cost
about the same)."""

from __future__ import annotations

import html
import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from django.urls import reverse

from panorama.accounts.models import User

from . import measure
from .cases import session_connection

CHROMIUM = "/usr/bin/chromium"
MORE = re.compile(r'rel="next"\s+hx-get="([^"]+)"')
LCP_RUNS = 7
PAGE_RUNS = 40
DEEP_ROW = 5_000
PALETTE_WORDS = ["gar", "mar", "lop", "ana", "fer", "san", "rod", "per", "mad", "gom"]
# The LCP and the layout shifts of the page's load (shifts right after the user's own
# input do not count, as in the Core Web Vitals), read half a second after "load".
PAINT_SCRIPT = """() => new Promise(resolve => {
  let last = null, shift = 0;
  new PerformanceObserver(list => {
    const entries = list.getEntries();
    last = entries[entries.length - 1].startTime;
  }).observe({type: 'largest-contentful-paint', buffered: true});
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) shift += entry.value;
  }).observe({type: 'layout-shift', buffered: true});
  setTimeout(() => resolve({lcp: last, cls: shift}), 500);
})"""
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}


def _cookie(client: measure.Connection) -> tuple[str, str]:
    name, value = client.headers["Cookie"].split("=", 1)
    return name, value


def list_paint(
    base_url: str,
    user: User,
    say: Callable[[str], None],
    runs: int = LCP_RUNS,
    browser=None,
    viewport: dict = DESKTOP,
) -> dict:
    """``ui_list_lcp_ms`` (median) and ``ui_list_cls`` (the worst) of /customers/ over
    fresh page loads (a new context each: no cache), ``None`` when Chromium cannot run.
    ``browser``: a Playwright browser already running (the tests'); else one is started."""
    found = page_paint(base_url, user, say, "/customers/", runs, browser, viewport)
    return {"ui_list_lcp_ms": found["lcp_ms"], "ui_list_cls": found["cls"]}


def ficha_paint(
    base_url: str,
    user: User,
    say: Callable[[str], None],
    customer_id: int,
    runs: int = LCP_RUNS,
    browser=None,
) -> dict:
    """``ui_ficha_cls`` and ``ui_ficha_cls_375``: the worst Cumulative Layout Shift of
    the ficha's load (``customer_id``'s, its first tab) at 1280 and at 375 px, over fresh
    page loads as ``list_paint``; ``None`` when Chromium cannot run."""
    path = reverse("customers:detail", args=[customer_id])
    wide = page_paint(base_url, user, say, path, runs, browser, DESKTOP)
    phone = page_paint(base_url, user, say, path, runs, browser, PHONE)
    return {"ui_ficha_cls": wide["cls"], "ui_ficha_cls_375": phone["cls"]}


def page_paint(
    base_url: str,
    user: User,
    say: Callable[[str], None],
    path: str,
    runs: int = LCP_RUNS,
    browser=None,
    viewport: dict = DESKTOP,
) -> dict:
    """``lcp_ms`` (median) and ``cls`` (the worst) of ``path`` over fresh page loads, as
    ``list_paint`` (the ficha's test measures its own with it)."""
    # The session is made before Playwright starts: its sync API runs an event loop in
    # this thread, and Django refuses database calls from there.
    client = session_connection(base_url, user)
    cookie = _cookie(client)
    client.close()
    if browser is not None:
        return _paint(browser, base_url + path, cookie, runs, viewport)
    missing = {"lcp_ms": None, "cls": None}
    if not Path(CHROMIUM).exists():
        say(f"  Chromium is not installed (make browser): {path}'s paint not measured")
        return missing
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        say(f"  Playwright is not installed: {path}'s paint not measured")
        return missing
    with sync_playwright() as playwright:
        started = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless=new", "--no-sandbox", "--disable-gpu"]
        )
        try:
            return _paint(started, base_url + path, cookie, runs, viewport)
        finally:
            started.close()


def _paint(browser, url: str, cookie: tuple[str, str], runs: int, viewport: dict) -> dict:
    name, value = cookie
    lcps: list[float] = []
    shifts: list[float] = []
    for run in range(runs + 1):
        context = browser.new_context(viewport=viewport)
        context.add_cookies([{"name": name, "value": value, "url": url}])
        page = context.new_page()
        page.goto(url, wait_until="load")
        paint = page.evaluate(PAINT_SCRIPT)
        context.close()
        if run and paint["lcp"] is not None:  # the first load warms the server up
            lcps.append(float(paint["lcp"]))
            shifts.append(float(paint["cls"]))
    return {
        "lcp_ms": round(statistics.median(lcps), 1) if lcps else None,
        "cls": round(max(shifts), 4) if shifts else None,
    }


def palette_ms(base_url: str, user: User, requests: int) -> tuple[float, int | None]:
    """p50 ms and the most queries of the palette's answer as the user types a word."""
    client = session_connection(base_url, user)
    url = reverse("core:palette")
    words = [PALETTE_WORDS[n % len(PALETTE_WORDS)] for n in range(requests)]
    try:
        times, counts = measure.timed(client, [measure.get(url, {"q": w}) for w in words])
    finally:
        client.close()
    return round(measure.p50(times), 2), (max(counts) if counts else None)


def _time(client: measure.Connection, path: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} -> {response.status_code}")
    return statistics.median(times)


def deep_page_ratio(
    base_url: str,
    user: User,
    say: Callable[[str], None],
    row: int = DEEP_ROW,
    runs: int = PAGE_RUNS,
) -> dict:
    """Follow the list's "load more" links from the first page to the page after row
    5,000; time the second page and that one (median of PAGE_RUNS each)."""
    client = session_connection(base_url, user)
    try:
        path, shown, second = "/customers/", 0, None
        while shown < row:
            page = client.get(path)
            found = MORE.search(page.text)
            if not found:
                say(f"  the list ends before row {row:,}: ui_deep_page_ratio not measured")
                return {"ui_deep_page_ratio": None}
            path = html.unescape(found.group(1))
            shown = int(re.search(r"shown=(\d+)", path).group(1))  # type: ignore[union-attr]
            second = second or path
        assert second is not None
        second_ms = _time(client, second, runs)
        deep_ms = _time(client, path, runs)
    finally:
        client.close()
    return {
        "ui_second_page_ms": round(second_ms, 2),
        "ui_deep_page_ms": round(deep_ms, 2),
        "ui_deep_page_ratio": round(deep_ms / second_ms, 2),
        "ui_deep_page_row": shown,
    }


def measure_all(
    base_url: str,
    user: User,
    requests: int,
    say: Callable[[str], None],
    customer_id: int | None = None,
) -> dict:
    out: dict = {}
    say("Measuring the UI: the list's LCP and layout shift in Chromium, the palette...")
    out.update(list_paint(base_url, user, say))
    if customer_id is not None:
        say("  the ficha's layout shift at 1280 and 375 px...")
        out.update(ficha_paint(base_url, user, say, customer_id))
    out["ui_palette_ms"], out["ui_palette_queries"] = palette_ms(base_url, user, requests)
    out.update(deep_page_ratio(base_url, user, say))
    return out
