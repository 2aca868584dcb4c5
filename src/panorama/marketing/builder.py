"""The visual segment builder's form: rows of (field, operator, value[, channel][, outcome]
[, extra], not) under one "all / any" switch, and groups of rows (their own "all / any"
switch and NOT) inside it, nested up to ``MAX_NESTING`` levels, turned into the rule JSON
the services validate and back. A rule the rows cannot draw (a NOT around a NOT, deeper
groups, written through the API) is edited as JSON.

The form numbers every node (condition or group) in the order drawn: a condition posts
``f<i>`` (field), ``o<i>``, ``v<i>``…; a group posts ``g<i>`` (and / or); either posts
``n<i>`` (NOT) and ``p<i>``, the number of the group it is in (empty: the top level)."""

from dataclasses import dataclass
from typing import Any

from . import rules as segment_rules

MAX_ROWS = segment_rules.MAX_CONDITIONS
MAX_NODES = MAX_ROWS * 2  # conditions and groups
# Groups inside groups: with a NOT around each, still inside the rules' MAX_DEPTH.
MAX_NESTING = 2
EXTRA_KEYS = segment_rules.activity.EXTRA_KEYS


@dataclass
class Row:
    field: str
    op: str
    value: str = ""
    channel: str = ""
    outcome: str = ""  # "contacted": the interaction's outcome ("sale"), any when empty
    extra: str = ""  # an activity field's optional key (``Field.extra``: url, product, days)
    negate: bool = False
    group: bool = False  # a group of rows: ``op`` is "and" or "or", ``field`` is empty
    parent: int | None = None  # the index (in the list) of the group it is in
    depth: int = 0  # groups it is inside (0: the top level)
    fresh: bool = False  # just added: the page moves the focus to it

    @property
    def is_condition(self) -> bool:
        return not self.group


def _index(text) -> int | None:
    return int(text) if isinstance(text, str) and text.isdigit() else None


def rows_from_post(data, *, catalogue: dict[str, segment_rules.Field]) -> list[Row]:
    """The rows posted, in order, each group before what it holds (a row naming a group
    that is not there goes to the top level: nothing typed is lost)."""
    found: list[tuple[int, Row, int | None]] = []
    for i in range(MAX_NODES):
        parent = _index(data.get(f"p{i}"))
        if data.get(f"g{i}") is not None:
            op = "or" if data.get(f"g{i}") == "or" else "and"
            found.append(
                (i, Row(field="", op=op, negate=data.get(f"n{i}") == "on", group=True), parent)
            )
            continue
        name = data.get(f"f{i}")
        if name is None:
            continue
        field = catalogue.get(name)
        op = data.get(f"o{i}", "")
        if field is not None and op not in field.ops:
            op = field.ops[0]
        row = Row(
            field=name,
            op=op,
            value=(data.get(f"v{i}") or "").strip(),
            channel=data.get(f"c{i}", ""),
            outcome=(data.get(f"oc{i}") or "").strip(),
            extra=(data.get(f"x{i}") or "").strip(),
            negate=data.get(f"n{i}") == "on",
        )
        found.append((i, row, parent))
    groups = {i for i, row, _p in found if row.group}
    children: dict[int | None, list[tuple[int, Row]]] = {}
    for i, row, parent in found:
        # A group holds only what is posted after it: no group inside itself.
        key = parent if parent in groups and parent < i else None
        children.setdefault(key, []).append((i, row))
    return _flatten(children, None, 0, None)


def _flatten(children, key, depth: int, parent: int | None, out=None) -> list[Row]:
    """The tree as rows in drawing order (a group, then what it holds), renumbered."""
    out = [] if out is None else out
    for i, row in children.get(key, []):
        row.depth, row.parent = depth, parent
        out.append(row)
        if row.group:
            _flatten(children, i, depth + 1, len(out) - 1, out)
    return out


def _descendants(rows: list[Row], index: int) -> set[int]:
    inside = {index}
    for i, row in enumerate(rows):
        if row.parent in inside:
            inside.add(i)
    return inside


def rows_act(rows: list[Row], action: str) -> list[Row]:
    """The rows after a button: ``add`` / ``add:<group>`` a condition, ``group`` /
    ``group:<group>`` a group (holding one condition), ``remove:<row>`` a row or a group
    with all it holds."""
    verb, _sep, target = action.partition(":")
    where = _index(target)
    if where is not None and not (0 <= where < len(rows)):
        return rows
    if verb == "remove" and where is not None:
        gone = _descendants(rows, where)
        kept = [(i, r) for i, r in enumerate(rows) if i not in gone]
        return _renumber(kept)
    if verb not in ("add", "group") or sum(r.is_condition for r in rows) >= MAX_ROWS:
        return rows
    if where is not None and not rows[where].group:
        return rows
    depth = rows[where].depth + 1 if where is not None else 0
    if verb == "group" and depth >= MAX_NESTING:
        return rows
    # After the group's last descendant (or at the end for the top level).
    at = max(_descendants(rows, where)) + 1 if where is not None else len(rows)
    new: list[Row] = []
    if verb == "group":
        new.append(Row(field="", op="and", group=True, parent=where, depth=depth, fresh=True))
        new.append(Row(field="holding", op="has", parent=-1, depth=depth + 1))
    else:
        new.append(Row(field="holding", op="has", parent=where, depth=depth, fresh=True))
    indexed = [(i, r) for i, r in enumerate(rows)]
    start = len(rows)
    added = []
    for k, row in enumerate(new):
        if row.parent == -1:
            row.parent = start  # inside the group just added
        added.append((start + k, row))
    return _renumber(indexed[:at] + added + indexed[at:])


def _renumber(indexed: list[tuple[int, Row]]) -> list[Row]:
    """Rows in their new order with each parent pointing at its new index."""
    position = {old: new for new, (old, _row) in enumerate(indexed)}
    rows = []
    for _old, row in indexed:
        row.parent = position.get(row.parent) if row.parent is not None else None
        rows.append(row)
    return rows


def _value(row: Row, field: segment_rules.Field | None) -> Any:
    value: Any = row.value
    if field is None:
        return value
    if row.op == "in" or (row.field == "holding" and "," in value):
        return [part.strip() for part in value.split(",") if part.strip()]
    if field.type == "boolean":
        return {"true": True, "false": False, "yes": True, "no": False}.get(value.lower(), value)
    return value


def rule_from_rows(match: str, rows: list[Row], *, catalogue) -> dict:
    children: dict[int | None, list[dict]] = {None: []}
    for i, _row in enumerate(rows):
        children.setdefault(i, [])
    for i, row in enumerate(rows):
        if row.group:
            node: dict[str, Any] = {"op": row.op, "rules": children[i]}
        else:
            node = _leaf(row, catalogue)
        inside = row.parent is not None and 0 <= row.parent < len(rows) and rows[row.parent].group
        children[row.parent if inside else None].append(
            {"op": "not", "rule": node} if row.negate else node
        )
    return {"op": "or" if match == "or" else "and", "rules": children[None]}


def _leaf(row: Row, catalogue) -> dict:
    field = catalogue.get(row.field)
    leaf: dict[str, Any] = {"field": row.field, "op": row.op}
    if row.op not in ("is_empty", "is_set"):
        leaf["value"] = _value(row, field)
    if field is not None and field.name in ("contacted", "consent") and row.channel:
        leaf["channel"] = row.channel
    if row.field == "contacted" and row.outcome:
        leaf["outcome"] = row.outcome
    if field is not None and field.extra and row.extra:
        leaf[field.extra] = row.extra
    return leaf


def rows_from_rule(rule: dict) -> tuple[str, list[Row]] | None:
    """The rows that draw ``rule``, or None when it needs the JSON editor."""
    if not rule:
        return "and", []
    if rule.get("op") not in ("and", "or") or "field" in rule:
        return None
    rows: list[Row] = []
    if not _draw(rule.get("rules", []), rows, None, 0):
        return None
    return rule["op"], rows


def _draw(children: list, rows: list[Row], parent: int | None, depth: int) -> bool:
    for child in children:
        if not isinstance(child, dict):
            return False
        negate = child.get("op") == "not" and "field" not in child
        node = child.get("rule") if negate else child
        if not isinstance(node, dict):
            return False
        if "field" not in node:
            if node.get("op") not in ("and", "or") or depth + 1 > MAX_NESTING:
                return False
            rows.append(
                Row(field="", op=node["op"], negate=negate, group=True, parent=parent, depth=depth)
            )
            if not _draw(node.get("rules", []), rows, len(rows) - 1, depth + 1):
                return False
            continue
        value = node.get("value", "")
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        rows.append(
            Row(
                field=node["field"],
                op=node["op"],
                value="" if value is None else str(value),
                channel=node.get("channel", "") or "",
                outcome=str(node.get("outcome") or ""),
                extra=str(node.get(EXTRA_KEYS.get(node["field"], "")) or ""),
                negate=negate,
                parent=parent,
                depth=depth,
            )
        )
    return True
