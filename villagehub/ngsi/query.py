"""The NGSI-LD query language (ETSI GS CIM 009, 4.9), the type selection language and the
scope query language: recursive-descent parsers into small trees, evaluated on stored
entities. Every syntax error is a `BadRequestData` naming the parameter and the place."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .errors import BadRequestData
from .representation import INSTANCE_MEMBERS, as_list, instance_value, instances_of

NUMBER = re.compile(r"^-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")
NAME_CHARS = re.compile(r"[A-Za-z0-9_:/#@\-.\[\]]")
OPERATORS = ("!~=", "==", "!=", ">=", "<=", "~=", ">", "<")
MAX_LENGTH = 4096
MAX_PATTERN = 256


@dataclass
class Logic:
    op: str  # "and" | "or"
    items: list


@dataclass
class Term:
    attribute: str
    subpath: list[str] = field(default_factory=list)  # ".a.b": sub-attributes, then value keys
    keys: list[str] = field(default_factory=list)  # "[a][b]": keys inside the value
    op: str | None = None
    value: Any = None


@dataclass(frozen=True)
class DateValue:
    text: str


@dataclass(frozen=True)
class Range:
    low: Any
    high: Any


class _Parser:
    def __init__(self, text: str, parameter: str) -> None:
        self.text = text
        self.pos = 0
        self.parameter = parameter

    def error(self, message: str) -> BadRequestData:
        return BadRequestData(f"{self.parameter}: {message} (at character {self.pos + 1}).")

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expression(self, term) -> Any:
        ors = [self.conjunction(term)]
        while self.peek() in ("|", ",") and (self.peek() == "|" or self.parameter != "q"):
            self.pos += 1
            ors.append(self.conjunction(term))
        return ors[0] if len(ors) == 1 else Logic("or", ors)

    def conjunction(self, term) -> Any:
        ands = [self.factor(term)]
        while self.peek() == ";":
            self.pos += 1
            ands.append(self.factor(term))
        return ands[0] if len(ands) == 1 else Logic("and", ands)

    def factor(self, term) -> Any:
        if self.peek() == "(":
            self.pos += 1
            inner = self.expression(term)
            if self.peek() != ")":
                raise self.error("a parenthesis is not closed")
            self.pos += 1
            return inner
        return term()

    def parse(self, term) -> Any:
        if not self.text:
            raise self.error("it is empty")
        if len(self.text) > MAX_LENGTH:
            raise self.error("it is too long")
        tree = self.expression(term)
        if self.pos != len(self.text):
            raise self.error(f"unexpected {self.peek()!r}")
        return tree

    # Names (types, scopes) for the type and scope languages.
    def name(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in ",;|()":
            self.pos += 1
        found = self.text[start : self.pos].strip()
        if not found:
            raise self.error("a name is missing")
        return found

    # Query terms of q.
    def q_term(self) -> Term:
        start = self.pos
        while self.pos < len(self.text) and NAME_CHARS.match(self.text[self.pos]):
            self.pos += 1
        attribute = self.text[start : self.pos]
        if not attribute:
            raise self.error("an attribute name is missing")
        term = _attribute_path(attribute, self)
        for op in OPERATORS:
            if self.text.startswith(op, self.pos):
                self.pos += len(op)
                term.op = op
                term.value = self.q_value(op)
                break
        return term

    def q_value(self, op: str) -> Any:
        start = self.pos
        depth = 0
        quoted = False
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if quoted:
                if char == "\\":
                    self.pos += 1
                elif char == '"':
                    quoted = False
            elif char == '"':
                quoted = True
            elif char == "(":
                depth += 1
            elif char == ")":
                if depth == 0:
                    break
                depth -= 1
            elif char in ";|" and depth == 0:
                break
            self.pos += 1
        if quoted:
            raise self.error("a quoted string is not closed")
        raw = self.text[start : self.pos]
        if not raw:
            raise self.error(f"a value is missing after {op}")
        if op in ("~=", "!~="):
            pattern = _unquote(raw) if raw.startswith('"') and raw.endswith('"') else raw
            if len(pattern) > MAX_PATTERN:
                raise self.error(f"a pattern is longer than {MAX_PATTERN} characters")
            try:
                return re.compile(pattern)
            except (re.error, RecursionError, OverflowError) as exc:
                raise self.error(f"{pattern!r} is not a regular expression") from exc
        parts = _split(raw, "..")
        if len(parts) == 2:
            if op not in ("==", "!="):
                raise self.error("a range only goes with == or !=")
            return Range(self.scalar(parts[0]), self.scalar(parts[1]))
        if len(parts) > 2:
            raise self.error("a range has two ends")
        items = _split(raw, ",")
        if len(items) > 1:
            if op not in ("==", "!="):
                raise self.error("a list of values only goes with == or !=")
            return [self.scalar(item) for item in items]
        return self.scalar(raw)

    def scalar(self, raw: str) -> Any:
        if not raw:
            raise self.error("a value is missing")
        if raw.startswith('"'):
            if len(raw) < 2 or not raw.endswith('"'):
                raise self.error("a quoted string is not closed")
            return _unquote(raw)
        if raw in ("true", "false"):
            return raw == "true"
        if NUMBER.match(raw):
            number = float(raw)
            return (
                int(number)
                if number.is_integer() and "." not in raw and "e" not in raw.lower()
                else number
            )
        if DATETIME.match(raw):
            return DateValue(raw)
        if re.search(r"[\"'<>=!~()]", raw):
            raise self.error(f"{raw!r} is not a value (quote strings)")
        return raw


def _unquote(raw: str) -> str:
    return re.sub(r"\\(.)", r"\1", raw[1:-1])


def _split(raw: str, separator: str) -> list[str]:
    parts, start, pos, quoted = [], 0, 0, False
    while pos < len(raw):
        if raw[pos] == '"' and (pos == 0 or raw[pos - 1] != "\\"):
            quoted = not quoted
        elif not quoted and raw.startswith(separator, pos):
            parts.append(raw[start:pos])
            pos += len(separator)
            start = pos
            continue
        pos += 1
    parts.append(raw[start:])
    return parts


def _attribute_path(text: str, parser: _Parser) -> Term:
    main, bracket, rest = text.partition("[")
    keys: list[str] = []
    if bracket:
        inner = "[" + rest
        found = re.findall(r"\[([^\[\]]+)\]", inner)
        if "".join(f"[{key}]" for key in found) != inner:
            raise parser.error(f"{text!r} is not an attribute path")
        keys = [key for item in found for key in item.split(".")]
    names = main.split(".")
    if not all(names):
        raise parser.error(f"{text!r} is not an attribute path")
    return Term(attribute=names[0], subpath=names[1:], keys=keys)


def q_parse(text: str) -> Any:
    parser = _Parser(text, "q")
    return parser.parse(parser.q_term)


def csf_parse(text: str) -> Any:
    """A context source filter (`csf`): the query language of `q`, on registrations."""
    parser = _Parser(text, "csf")
    return parser.parse(parser.q_term)


def names_parse(text: str, parameter: str) -> Any:
    """The type selection language (`,` and `|` or, `;` and, parentheses); also scopeQ."""
    parser = _Parser(text, parameter)
    return parser.parse(parser.name)


def tree_names(tree: Any) -> list[str]:
    if isinstance(tree, Logic):
        return [name for item in tree.items for name in tree_names(item)]
    if isinstance(tree, Term):
        return [tree.attribute, *tree.subpath, *tree.keys]
    return [tree]


def tree_map(tree: Any, mapping: dict[str, str]) -> Any:
    """The same tree with names replaced (by their stored form)."""
    if isinstance(tree, Logic):
        return Logic(tree.op, [tree_map(item, mapping) for item in tree.items])
    if isinstance(tree, Term):
        return Term(
            attribute=mapping.get(tree.attribute, tree.attribute),
            subpath=[mapping.get(name, name) for name in tree.subpath],
            keys=[mapping.get(name, name) for name in tree.keys],
            op=tree.op,
            value=tree.value,
        )
    return mapping.get(tree, tree)


def tree_is_disjunction(tree: Any) -> bool:
    if isinstance(tree, Logic):
        return tree.op == "or" and all(isinstance(item, str) for item in tree.items)
    return isinstance(tree, str)


def names_match(tree: Any, names: set[str]) -> bool:
    if isinstance(tree, Logic):
        found = (names_match(item, names) for item in tree.items)
        return all(found) if tree.op == "and" else any(found)
    return tree in names


def _scope_one(pattern: str, scopes: list[str]) -> bool:
    if pattern == "/#":
        return bool(scopes)
    for scope in scopes:
        if pattern.endswith("/#"):
            base = pattern[:-2]
            if scope == base or scope.startswith(base + "/"):
                return True
        elif pattern.endswith("/+"):
            base = pattern[:-2]
            if scope.startswith(base + "/") and "/" not in scope[len(base) + 1 :]:
                return True
        elif scope == pattern:
            return True
    return False


def scope_match(tree: Any, scopes: list[str]) -> bool:
    if isinstance(tree, Logic):
        found = (scope_match(item, scopes) for item in tree.items)
        return all(found) if tree.op == "and" else any(found)
    return _scope_one(tree, scopes)


# Evaluation of q on a stored entity.


def _unwrap(value: Any) -> Any:
    if isinstance(value, dict) and "@value" in value:
        return value["@value"]
    return value


def _leaves(value: Any) -> list:
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    if isinstance(value, dict) and "@value" not in value:
        return [value]
    return [_unwrap(value)]


def _descend(value: Any, key: str) -> list:
    found = []
    for item in as_list(value):
        if isinstance(item, dict) and key in item:
            found.append(item[key])
    return found


def _values(term: Term, entity: dict) -> list:
    results: list = []
    for instance in instances_of(entity.get("attrs", {}).get(term.attribute)):
        current: list[Any] = [instance]
        in_value = False
        for name in term.subpath:
            step = []
            for item in current:
                if not in_value and isinstance(item, dict) and name in item:
                    chosen = item[name]
                    if name not in INSTANCE_MEMBERS:
                        chosen = instances_of(chosen)[0] if instances_of(chosen) else chosen
                    step.append(chosen)
                elif not in_value and isinstance(item, dict):
                    in_value = True
                    step.extend(_descend(instance_value(item), name))
                else:
                    step.extend(_descend(item, name))
            current = step
        if term.keys:
            if not in_value:
                current = [
                    instance_value(item) if isinstance(item, dict) and "type" in item else item
                    for item in current
                ]
            for key in term.keys:
                current = [found for item in current for found in _descend(item, key)]
        elif not in_value:
            current = [
                instance_value(item)
                if isinstance(item, dict) and ("type" in item or "value" in item)
                else item
                for item in current
            ]
        for item in current:
            if (
                isinstance(item, dict)
                and "@value" not in item
                and term.keys == []
                and all(isinstance(text, str) for text in item.values())
                and instance.get("type") == "LanguageProperty"
            ):
                results.extend(item.values())
            else:
                results.extend(_leaves(item))
    return results


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, DateValue):
        value = value.text
    if not isinstance(value, str) or not DATETIME.match(value):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.now().astimezone().tzinfo)


def _comparable(left: Any, right: Any) -> tuple[Any, Any] | None:
    if isinstance(right, DateValue) or (
        isinstance(left, str)
        and _as_datetime(left)
        and isinstance(right, str)
        and _as_datetime(right)
    ):
        left_time, right_time = _as_datetime(left), _as_datetime(right)
        if left_time is None or right_time is None:
            return (
                (left, right.text)
                if isinstance(left, str) and isinstance(right, DateValue)
                else None
            )
        return left_time, right_time
    if isinstance(left, bool) or isinstance(right, bool):
        return (left, right) if isinstance(left, bool) and isinstance(right, bool) else None
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        return left, right
    if isinstance(left, str) and isinstance(right, str):
        return left, right
    return None


def _compare(left: Any, op: str, right: Any) -> bool:
    if isinstance(right, list):
        found = any(_compare(left, "==", item) for item in right)
        return found if op == "==" else not found
    if isinstance(right, Range):
        low = _comparable(left, right.low)
        high = _comparable(left, right.high)
        inside = bool(low and high and low[1] <= low[0] <= high[1])
        return inside if op == "==" else not inside
    pair = _comparable(left, right)
    if pair is None:
        return op == "!="
    a, b = pair
    try:
        return {
            "==": a == b,
            "!=": a != b,
            ">": a > b,
            ">=": a >= b,
            "<": a < b,
            "<=": a <= b,
        }[op]
    except TypeError:
        return False


# What the value index (models.EntityValue) keeps of a value, and the literals whose
# comparisons it answers exactly: numbers below 2**52 compare the same as floats, and a text
# cut at INDEXED_TEXT characters never equals a shorter literal.
INDEXED_TEXT = 200
EXACT_NUMBER = 2**52


def value_leaves(instances: list[dict]) -> list:
    """The values `attribute op literal` compares, for the instances of one attribute: the
    same reading as `q_match`, so that the index and the query agree."""
    leaves = []
    for instance in instances:
        if instance.get("type") == "LanguageProperty":
            leaves.extend(_values(Term(attribute="_"), {"attrs": {"_": [instance]}}))
        else:
            # What `_values` reads of any other instance, without its walk: the leaves of its
            # value (a GeoProperty's geometry is one leaf, an object, which nothing indexes).
            leaves.extend(_leaves(instance_value(instance)))
    return leaves


def _plain_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def indexable(leaf: Any) -> dict | None:
    """The value index's columns for one leaf value, or None if no lookup compares it."""
    if _plain_number(leaf):
        return {"number": float(leaf)} if leaf == leaf and abs(leaf) != float("inf") else None
    if isinstance(leaf, str):
        return {"text": leaf[:INDEXED_TEXT]}
    return None


def _exact_number(value: Any) -> bool:
    return _plain_number(value) and abs(value) < EXACT_NUMBER


def term_lookup(term: Any) -> dict | None:
    """The value-index filter that finds exactly the entities a comparison matches, or None
    where only Python can tell (sub-attributes, keys, patterns, dates, lists, `!=`)."""
    if not isinstance(term, Term) or term.subpath or term.keys:
        return None
    value = term.value
    if term.op in (">", ">=", "<", "<=", "==") and _exact_number(value):
        suffix = {">": "__gt", ">=": "__gte", "<": "__lt", "<=": "__lte", "==": ""}[term.op]
        return {"attribute": term.attribute, f"number{suffix}": value}
    if term.op == "==" and isinstance(value, Range):
        if _exact_number(value.low) and _exact_number(value.high):
            return {
                "attribute": term.attribute,
                "number__gte": value.low,
                "number__lte": value.high,
            }
        return None
    if (
        term.op == "=="
        and isinstance(value, str)
        and len(value) < INDEXED_TEXT
        and not DATETIME.match(value)
    ):
        return {"attribute": term.attribute, "text": value}
    return None


def q_lookups(tree: Any) -> tuple[list[dict], bool]:
    """The value-index filters a q implies (each a superset of its matches), and whether
    together they decide it wholly."""
    if tree is None:
        return [], True
    terms = tree.items if isinstance(tree, Logic) and tree.op == "and" else [tree]
    lookups = [term_lookup(term) for term in terms]
    return [lookup for lookup in lookups if lookup], all(lookups)


def q_match(tree: Any, entity: dict) -> bool:
    if isinstance(tree, Logic):
        found = (q_match(item, entity) for item in tree.items)
        return all(found) if tree.op == "and" else any(found)
    values = _values(tree, entity)
    if tree.op is None:
        return bool(values)
    if not values:
        return False
    if tree.op in ("~=", "!~="):
        hits = any(isinstance(value, str) and tree.value.search(value) for value in values)
        return hits if tree.op == "~=" else not hits
    if tree.op == "!=":
        return all(_compare(value, "!=", tree.value) for value in values)
    return any(_compare(value, tree.op, tree.value) for value in values)
