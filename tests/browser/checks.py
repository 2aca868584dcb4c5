"""Checks the browser tests share: axe (WCAG 2.1 AA) with every element id once, and the
375 px sideways scroll."""

from axe_playwright_python.sync_playwright import Axe

_AXE = Axe()

# Elements wider than the window outside any scroll container, and the document's width.
_OVERFLOW = """() => {
  const wide = [...document.querySelectorAll('body *')].filter(e => {
    if (e.getBoundingClientRect().right <= window.innerWidth + 1) return false;
    for (let n = e.parentElement; n; n = n.parentElement) {
      if (['auto', 'hidden', 'scroll'].includes(getComputedStyle(n).overflowX)) return false;
    }
    return true;
  });
  return {
    width: document.documentElement.scrollWidth,
    culprits: wide.slice(0, 5).map(e => `${e.tagName}.${e.className}#${e.id}`),
  };
}"""

# Ids given to more than one element (getAttribute: a form's .id may be its "id" input).
_DUPLICATE_IDS = """() => {
  const seen = new Map();
  for (const e of document.querySelectorAll('[id]')) {
    const id = e.getAttribute('id');
    if (id) seen.set(id, (seen.get(id) || 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([id, n]) => `#${id} x${n}`);
}"""


def duplicate_ids(page) -> list[str]:
    """The ids more than one element of the page has, with how many (empty: none). axe's
    own duplicate-id rules are deprecated and off; a label, an HTMX target, a skip link,
    an aria-* reference or a tab finds the first of them only."""
    return page.evaluate(_DUPLICATE_IDS)


# Every CSS transition and finite animation running on the page has ended (an infinite
# one, a spinner's or a skeleton's shimmer, never does: it is not waited for; nor a
# paused one). At most 5 s: a page still animating then is read as it is.
_SETTLED = """async () => {
  const finite = document.getAnimations().filter(a => a.playState === 'running'
    && Number.isFinite(a.effect?.getComputedTiming().endTime));
  const ended = Promise.all(finite.map(a => a.finished.catch(() => null)));
  await Promise.race([ended, new Promise(r => setTimeout(r, 5000))]);
}"""


def transitions_ended(page) -> None:
    """Wait for the page's transitions and finite animations to end, as long as they take
    and no longer (axe reads colours: a theme's or a hover's transition half-way would
    give a contrast the user never sees for long)."""
    page.evaluate(_SETTLED)


def _axe(page) -> list[dict]:
    """axe's violations; its script is injected once per document (a second run on the
    same page, a dialog opened, reuses it: half a megabyte less to send and compile)."""
    if page.evaluate("typeof window.axe") == "undefined":
        page.evaluate(_AXE.axe_script)
    return page.evaluate("axe.run({resultTypes: ['violations']}).then(r => r.violations)")


def violations(page, settle: bool = True) -> list[str]:
    """axe's violations on the page as it is, one line each, and one line for the ids
    given twice (empty: none). First the page's transitions end (``transitions_ended``;
    the fixed 200 ms wait it replaces was longer than most pages need and could still be
    too short on a busy machine); ``settle=False`` reads the page at once."""
    if settle:
        transitions_ended(page)
    found = [
        f"{v['id']} ({v['impact']}): {v['help']} {[n['target'] for n in v['nodes'][:3]]}"
        for v in _axe(page)
    ]
    twice = duplicate_ids(page)
    if twice:
        found.append(f"duplicate-id: {', '.join(twice)} on {page.url}")
    return found


def sideways(page) -> str:
    """ "" when the page fits the window's width, else what sticks out."""
    found = page.evaluate(_OVERFLOW)
    width = page.evaluate("window.innerWidth")
    if found["width"] <= width:
        return ""
    return f"{found['width']} px wide in {width} px: {found['culprits']}"


# From the next HTMX request's start: the time of the first frame `selector` is drawn
# (a skeleton or an action's progress), and how many frames after the start it was not.
_WATCH = """(sel) => {
  const w = window.pnWatch = {start: null, shownAt: null, hiddenFrames: 0};
  document.body.addEventListener('htmx:beforeRequest', () => {
    if (w.start !== null) return;
    // The animation clock on both ends: the timeline's time now is the start of the frame
    // the request begins in, and a CSS delay counts from a frame at or after it; a frame's
    // timestamp is that frame's timeline time. (performance.now() here would be later than
    // the frame a delay counts from, by up to a frame's length on a busy machine.)
    w.start = document.timeline.currentTime;
    const tick = (frame) => {
      const s = getComputedStyle(document.querySelector(sel));
      if (s.display !== 'none' && s.visibility === 'visible') {
        w.shownAt = frame;
        return;
      }
      w.hiddenFrames += 1;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}"""


def watch_reveal(page, selector: str) -> None:
    """Start watching `selector` from the page's next HTMX request (see `revealed`)."""
    page.evaluate(_WATCH, selector)


def revealed(page) -> tuple[float, int]:
    """Once the watched element is drawn: the milliseconds from its request's start, and
    the frames in between that showed nothing (a skeleton or a progress must wait 300 ms
    with frames drawn meanwhile, never show at once)."""
    page.wait_for_function("() => window.pnWatch.shownAt !== null")
    w = page.evaluate("window.pnWatch")
    return w["shownAt"] - w["start"], w["hiddenFrames"]
