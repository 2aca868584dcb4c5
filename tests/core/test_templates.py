"""Template comments that would show on the page: Django's ``{# #}`` ends at the end of
its line, so a comment spread over several lines is printed as text to every user."""

from pathlib import Path

import panorama

ROOT = Path(panorama.__file__).parent


def test_no_template_opens_a_one_line_comment_it_does_not_close():
    broken = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in ROOT.rglob("*.html")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if line.count("{#") > line.count("#}")
    ]
    assert broken == [], "use {% comment %} for comments over several lines"


def test_the_pages_show_no_template_syntax(admin_client):
    for url in ("/customers/", "/customers/new/", "/customers/imports/"):
        html = admin_client.get(url).content.decode()
        assert "{#" not in html and "{%" not in html, url
