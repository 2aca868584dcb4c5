"""The visual segment builder's form: rows of (field, operator, value[, channel][, outcome]
[, extra], not)
under one "all / any" switch, turned into the rule JSON the services validate. A rule
the rows cannot draw (nested groups, written through the API) is edited as JSON."""

from dataclasses import dataclass
from typing import Any

from . import rules as segment_rules

MAX_ROWS = segment_rules.MAX_CONDITIONS
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


def rows_from_post(data, *, catalogue: dict[str, segment_rules.Field]) -> list[Row]:
    rows: list[Row] = []
    for i in range(MAX_ROWS):
        name = data.get(f"f{i}")
        if name is None:
            continue
        field = catalogue.get(name)
        op = data.get(f"o{i}", "")
        if field is not None and op not in field.ops:
            op = field.ops[0]
        rows.append(
            Row(
                field=name,
                op=op,
                value=(data.get(f"v{i}") or "").strip(),
                channel=data.get(f"c{i}", ""),
                outcome=(data.get(f"oc{i}") or "").strip(),
                extra=(data.get(f"x{i}") or "").strip(),
                negate=data.get(f"n{i}") == "on",
            )
        )
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
    children: list[dict] = []
    for row in rows:
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
        children.append({"op": "not", "rule": leaf} if row.negate else leaf)
    return {"op": "or" if match == "or" else "and", "rules": children}


def rows_from_rule(rule: dict) -> tuple[str, list[Row]] | None:
    """The rows that draw ``rule``, or None when it needs the JSON editor."""
    if not rule:
        return "and", []
    if rule.get("op") not in ("and", "or") or "field" in rule:
        return None
    rows = []
    for child in rule.get("rules", []):
        negate = child.get("op") == "not" and "field" not in child
        leaf = child.get("rule") if negate else child
        if not isinstance(leaf, dict) or "field" not in leaf:
            return None
        value = leaf.get("value", "")
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, bool):
            value = "true" if value else "false"
        rows.append(
            Row(
                field=leaf["field"],
                op=leaf["op"],
                value="" if value is None else str(value),
                channel=leaf.get("channel", "") or "",
                outcome=str(leaf.get("outcome") or ""),
                extra=str(leaf.get(EXTRA_KEYS.get(leaf["field"], "")) or ""),
                negate=negate,
            )
        )
    return rule["op"], rows
