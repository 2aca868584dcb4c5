"""A rule's conditions compiled once into a function of a subject (``compile_conditions``)
and evaluated with the reason of each step (``evaluate``); the tree, its fields and its
check at save are in the package (``conditions/__init__.py``)."""

import datetime
import typing
from decimal import Decimal, InvalidOperation
from typing import Any

from . import _MISSING, NO_VALUE, OPERATORS, Subject, value_of


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _comparable(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


_FAST = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


def _compare(op: str, left: Any, right: Any) -> bool:
    # The common cases first, without Decimal: two numbers, or two texts for (in)equality.
    kinds = (type(left), type(right))
    if op in _FAST and (
        (kinds[0] in (int, float) and kinds[1] in (int, float))
        or (kinds == (str, str) and op in ("gt", "gte", "lt", "lte"))
    ):
        return _FAST[op](left, right)
    if kinds == (str, str) and op in ("eq", "ne"):
        same = left == right or left.lower() == right.lower()
        return same if op == "eq" else not same
    if op == "exists":
        return left is not _MISSING and left not in (None, "")
    if op == "missing":
        return left is _MISSING or left in (None, "")
    if left is _MISSING:
        return False
    if op in ("contains", "not_contains"):
        if isinstance(left, list):
            found = any(str(item).lower() == str(right).lower() for item in left)
        else:
            found = str(right).lower() in str(left).lower()
        return found if op == "contains" else not found
    if op == "in":
        return any(_compare("eq", left, item) for item in right)
    a: Any = _number(left)
    b: Any = _number(right)
    if a is None or b is None:
        a, b = _comparable(left), _comparable(right)
        if isinstance(a, str) and isinstance(b, str) and op in ("eq", "ne"):
            a, b = a.lower(), b.lower()
    try:
        return {
            "eq": a == b,
            "ne": a != b,
            "gt": a > b,
            "gte": a >= b,
            "lt": a < b,
            "lte": a <= b,
        }[op]
    except TypeError:
        return False


def _shown(value: Any) -> str:
    if type(value) is str:
        return value
    return "∅" if value is _MISSING else str(_comparable(value))


Check = typing.Callable[[Subject], tuple[bool, list[str]]]
Step = typing.Callable[[Subject, list[str]], bool]


def _group(head: str, kids: list[Step], *, wanted: bool) -> Step:
    """ "all" (``wanted`` False: it stops at the first miss) or "any" (True: at the
    first that holds)."""

    def group(subject: Subject, lines: list[str]) -> bool:
        lines.append(head)
        for kid in kids:
            if bool(kid(subject, lines)) == wanted:
                return wanted
        return not wanted

    return group


def _negation(head: str, inner: Step) -> Step:
    def negation(subject: Subject, lines: list[str]) -> bool:
        lines.append(head)
        return not inner(subject, lines)

    return negation


def _comparison(name: str, op: str, value: Any, pad: str) -> Step:
    right = "" if op in NO_VALUE else f" {_shown(value)}"
    prefix = f"{pad}{name} ("
    yes, no = f") {OPERATORS[op]}{right} ✓", f") {OPERATORS[op]}{right} ✗"

    def comparison(subject: Subject, lines: list[str]) -> bool:
        left = value_of(name, subject)
        held = _compare(op, left, value)
        lines.append(prefix + _shown(left) + (yes if held else no))
        return held

    return comparison


def _membership(segment_id: Any, op: str, pad: str) -> Step:
    """ "segment 12 (in) = in ✓": the customer is (``eq``) or is not (``ne``) in it."""
    sign = "=" if op == "eq" else "≠"
    prefix = f"{pad}segment {segment_id} ("

    def membership(subject: Subject, lines: list[str]) -> bool:
        inside = type(segment_id) is int and subject.in_segment(segment_id)
        held = inside if op == "eq" else not inside
        where = "in" if inside else "out"
        lines.append(f"{prefix}{where}) {sign} in {'✓' if held else '✗'}")
        return held

    return membership


def compile_conditions(node: dict | None) -> Check:
    """The tree as a function of a subject giving what ``evaluate`` gives: the texts of
    its lines are made once here, so a rule checked against thousands of events only
    reads values and compares them."""
    if not node:
        return lambda subject: (True, ["{} ✓"])

    def build(item: dict, depth: int) -> Step:
        pad = "  " * depth
        word = "all" if "all" in item else "any" if "any" in item else ""
        if word:
            kids = [build(child, depth + 1) for child in item[word]]
            return _group(f"{pad}{word}:", kids, wanted=word == "any")
        if "not" in item:
            return _negation(f"{pad}not:", build(item["not"], depth + 1))
        if item["field"] == "segment":
            return _membership(item.get("value"), item["op"], pad)
        return _comparison(item["field"], item["op"], item.get("value"), pad)

    root = build(node, 0)

    def check(subject: Subject) -> tuple[bool, list[str]]:
        lines: list[str] = []
        return root(subject, lines), lines

    return check


def evaluate(node: dict, subject: Subject) -> tuple[bool, list[str]]:
    """Whether the conditions hold for ``subject``, and one line per comparison made
    ("event.data.amount (250000) ≥ 100000 ✓"), stopping where the answer is known. The
    lines use the JSON's own words and symbols: no translation in the hot path. (To
    check one tree many times, ``compile_conditions`` it once.)"""
    return compile_conditions(node)(subject)
