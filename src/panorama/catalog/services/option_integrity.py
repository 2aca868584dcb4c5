"""Can every option of a product still be chosen? The check the option writes run on the
product's options *as they would be after the change*, before saving anything.

The configurator (``configuration.configuration_check``) judges one configuration; this
judges the rules themselves, so an administrator learns at once that a rule can never be
met instead of a sales rep learning it on a quote:

- a loop of inclusions ("A includes B", "B includes A"): each would come free with the
  other, so neither would ever be charged;
- an option that could never be part of a valid configuration: what it requires or
  includes (and what comes with the product) holds two options that exclude each other,
  or more options of a group than the group allows;
- a group where at least N options must be chosen that has fewer than N options: no
  configuration of the product could ever be valid.

Only the problems the change *brings* are reported (``new_problems``), so an old
inconsistency never blocks an unrelated edit. Pure functions over plain facts: no query.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..models import OptionRule
from ..selectors.options import OptionModel


@dataclass(frozen=True)
class OptionFact:
    pk: int
    name: str
    group_id: int | None
    included: bool


@dataclass(frozen=True)
class GroupFact:
    pk: int
    name: str
    min_choices: int
    max_choices: int | None


@dataclass(frozen=True)
class RuleFact:
    option_id: int
    kind: str
    target_id: int


@dataclass
class Facts:
    """A product's options, groups and rules, as plain values one may change freely."""

    options: dict[int, OptionFact]
    groups: dict[int, GroupFact]
    rules: list[RuleFact]

    @classmethod
    def of(cls, model: OptionModel) -> "Facts":
        return cls(
            options={
                o.pk: OptionFact(o.pk, o.name, o.group_id, o.included)
                for o in model.options.values()
            },
            groups={
                g.pk: GroupFact(g.pk, g.name, g.min_choices, g.max_choices) for g in model.groups
            },
            rules=[RuleFact(r.option_id, r.kind, r.target_id) for r in model.rules],
        )


def _q(name: str) -> str:
    return f"“{name}”"


def _include_loops(facts: Facts) -> dict[tuple, str]:
    includes: dict[int, set[int]] = {}
    for rule in facts.rules:
        if rule.kind == OptionRule.Kind.INCLUDES:
            includes.setdefault(rule.option_id, set()).add(rule.target_id)
    found: dict[tuple, str] = {}
    for rule in facts.rules:
        if rule.kind != OptionRule.Kind.INCLUDES:
            continue
        # A loop through this rule: its target leads back, by inclusions, to its option.
        if rule.option_id in _reach(includes, [rule.target_id]):
            pair = tuple(sorted((rule.option_id, rule.target_id)))
            found[("loop", *pair)] = _(
                "%(option)s includes %(other)s, and %(other)s already includes %(option)s "
                "(directly or through other options): each would come free with the other."
            ) % {
                "option": _q(facts.options[rule.option_id].name),
                "other": _q(facts.options[rule.target_id].name),
            }
    return found


def _reach(edges: dict[int, set[int]], start: Iterable[int]) -> set[int]:
    seen: set[int] = set()
    todo = list(start)
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        todo.extend(edges.get(node, ()))
    return seen


def _impossible_options(facts: Facts) -> dict[tuple, str]:
    """The options no valid configuration can hold, each with the reason."""
    brings: dict[int, set[int]] = {}  # requires and includes: what comes along, or must
    excluded: set[frozenset[int]] = set()
    for rule in facts.rules:
        if rule.kind == OptionRule.Kind.EXCLUDES:
            excluded.add(frozenset((rule.option_id, rule.target_id)))
        else:
            brings.setdefault(rule.option_id, set()).add(rule.target_id)
    always = [pk for pk, option in facts.options.items() if option.included]
    found: dict[tuple, str] = {}
    for pk, option in facts.options.items():
        together = _reach(brings, [pk, *always])
        clash = next((pair for pair in excluded if pair <= together), None)
        if clash is not None:
            first, second = sorted(facts.options[i].name for i in clash)
            found[("never", pk)] = _(
                "%(option)s could never be chosen: with what it requires or includes, and "
                "what comes with the product, it would hold %(first)s and %(second)s, which "
                "exclude each other."
            ) % {"option": _q(option.name), "first": _q(first), "second": _q(second)}
            continue
        for group in facts.groups.values():
            count = sum(1 for i in together if facts.options[i].group_id == group.pk)
            if group.max_choices is not None and count > group.max_choices:
                found[("never", pk)] = _(
                    "%(option)s could never be chosen: with what it requires or includes it "
                    "would hold %(count)s options of %(group)s, which allows at most %(max)s."
                ) % {
                    "option": _q(option.name),
                    "count": count,
                    "group": _q(group.name),
                    "max": group.max_choices,
                }
                break
    return found


def _short_groups(facts: Facts) -> dict[tuple, str]:
    found: dict[tuple, str] = {}
    for group in facts.groups.values():
        count = sum(1 for o in facts.options.values() if o.group_id == group.pk)
        if count < group.min_choices:
            found[("short", group.pk)] = ngettext(
                "At least %(min)s of %(group)s must be chosen, and it has %(count)s option: "
                "no configuration could be valid. Give the group its options first (with "
                "“at least” 0), then raise “at least”.",
                "At least %(min)s of %(group)s must be chosen, and it has %(count)s options: "
                "no configuration could be valid. Give the group its options first (with "
                "“at least” 0), then raise “at least”.",
                count,
            ) % {"min": group.min_choices, "group": _q(group.name), "count": count}
    return found


def problems(facts: Facts) -> dict[tuple, str]:
    """Every problem of ``facts``, by a key that stays the same across changes."""
    return {**_include_loops(facts), **_short_groups(facts), **_impossible_options(facts)}


def new_problems(before: Facts, after: Facts) -> list[str]:
    """The problems ``after`` has that ``before`` had not."""
    old = problems(before)
    return [message for key, message in problems(after).items() if key not in old]
