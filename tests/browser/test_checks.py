"""The shared browser checks find what they are for: an id given twice is a violation
(axe's own duplicate-id rules are off), counted by the attribute (a form's "id" input
does not hide its id), and a page with each id once passes."""

import pytest

from tests.browser.checks import duplicate_ids, violations

pytestmark = pytest.mark.browser

PAGE = """<!doctype html><html lang="en"><head><title>Ids</title></head><body><main>
<h1>Ids</h1>
<form id="one" aria-label="One"><label for="id_name">Name</label><input id="id_name" name="name">
  <input type="hidden" name="id" value="1"></form>
{second}
<template><p id="one">not in the page</p></template>
</main></body></html>"""
SECOND = """<form id="two" aria-label="Two"><label for="id_name">Name</label>
  <input id="id_name" name="name"><input type="hidden" name="id" value="2"></form>"""


def test_an_id_given_twice_is_found_and_each_id_once_passes(page):
    page.set_content(PAGE.format(second=SECOND))
    assert duplicate_ids(page) == ["#id_name x2"]
    assert [line for line in violations(page, settle=False) if "duplicate-id" in line] == [
        f"duplicate-id: #id_name x2 on {page.url}"
    ]
    page.set_content(PAGE.format(second=""))
    assert duplicate_ids(page) == []
