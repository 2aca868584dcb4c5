"""A {# #} comment spans one line in Django: one over several lines shows on the page."""

from pathlib import Path

import panorama

ROOT = Path(panorama.__file__).parent


def test_no_template_has_a_one_line_comment_spanning_lines():
    offenders = []
    for path in ROOT.rglob("*.html"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            start = line.rfind("{#")
            if start != -1 and "#}" not in line[start:]:
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert offenders == [], "use {% comment %} for comments over several lines"
