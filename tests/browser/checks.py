"""Checks the browser tests share: axe (WCAG 2.1 AA) and the 375 px sideways scroll."""

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


def violations(page, settle_ms: int = 200) -> list[str]:
    """axe's violations on the page as it is, one line each (empty: none)."""
    if settle_ms:
        page.wait_for_timeout(settle_ms)  # transitions end before axe reads colours
    return [
        f"{v['id']} ({v['impact']}): {v['help']} {[n['target'] for n in v['nodes'][:3]]}"
        for v in _AXE.run(page).response["violations"]
    ]


def sideways(page) -> str:
    """ "" when the page fits the window's width, else what sticks out."""
    found = page.evaluate(_OVERFLOW)
    width = page.evaluate("window.innerWidth")
    if found["width"] <= width:
        return ""
    return f"{found['width']} px wide in {width} px: {found['culprits']}"
