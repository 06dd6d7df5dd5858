"""CloudWatch Logs Insights, the part the control plane's queries use: moto runs only `fields`,
`sort` and `limit`, and returns every event for anything else. This engine runs, as the
Logs Insights query syntax reference describes them:
  fields a, coalesce(b, c, 'x') as d | filter EXPR | stats AGG(...) as n, ... by f, ...
  | sort f asc|desc | limit N
with EXPR made of or / and / not / ( ), `f = v` (=, !=, <, >, <=, >=), `f like /regex/` and
ispresent(f); aggregates count(*), count(f), min, max, earliest, latest. JSON events' fields are
discovered (nested ones flattened with dots), as Insights does. A query outside this part is
refused with MalformedQueryException rather than answered wrongly.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any, Callable

from moto.core.exceptions import JsonRESTError
from moto.logs import models as logs_models

TOKEN = re.compile(
    r"""\s*(?:
      (?P<regex>/(?:[^/\\]|\\.)*/)
    | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
    | (?P<number>-?\d+(?:\.\d+)?)
    | (?P<op>>=|<=|!=|=|<|>|\(|\)|,|\||\*)
    | (?P<name>[@A-Za-z_][\w.@-]*)
    )""",
    re.VERBOSE,
)


class Malformed(JsonRESTError):
    code = 400

    def __init__(self, message: str):
        super().__init__("MalformedQueryException", message)


def tokenize(query: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    while pos < len(query):
        if query[pos:].strip() == "":
            break
        match = TOKEN.match(query, pos)
        if not match or match.end() == pos:
            raise Malformed(f"unexpected character at {pos}: {query[pos:pos + 20]!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


def literal(kind: str, text: str) -> Any:
    if kind == "number":
        return float(text)
    if kind == "string":
        return text[1:-1].encode().decode("unicode_escape")
    raise Malformed(f"expected a value, got {text}")


def flatten(value: Any, prefix: str, into: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            flatten(inner, f"{prefix}.{key}" if prefix else key, into)
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            flatten(inner, f"{prefix}.{i}", into)
    else:
        into[prefix] = value


def event_fields(event: Any, stream: Any, group: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "@timestamp": event.timestamp,
        "@message": event.message,
        "@logStream": stream.log_stream_name,
        "@log": group.name,
        "@ptr": event.event_id,
    }
    if event.message.startswith("{"):
        try:
            document = json.loads(event.message)
        except ValueError:
            document = None
        if isinstance(document, dict):
            discovered: dict[str, Any] = {}
            flatten(document, "", discovered)
            for key, value in discovered.items():
                fields.setdefault(key, value)
    return fields


class Parser:
    def __init__(self, tokens: list[tuple[str, str]]):
        self.tokens, self.pos = tokens, 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("end", "")

    def take(self, expected: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if expected is not None and token[1].lower() != expected:
            raise Malformed(f"expected {expected!r}, got {token[1]!r}")
        if token[0] == "end":
            raise Malformed("unexpected end of query")
        self.pos += 1
        return token

    def at(self, text: str) -> bool:
        return self.peek()[1].lower() == text

    # --- expressions (filter)
    def expr(self) -> Callable[[dict[str, Any]], bool]:
        left = self.conjunction()
        while self.at("or"):
            self.take()
            right, first = self.conjunction(), left
            left = lambda row, a=first, b=right: a(row) or b(row)  # noqa: E731
        return left

    def conjunction(self) -> Callable[[dict[str, Any]], bool]:
        left = self.unary()
        while self.at("and"):
            self.take()
            right, first = self.unary(), left
            left = lambda row, a=first, b=right: a(row) and b(row)  # noqa: E731
        return left

    def unary(self) -> Callable[[dict[str, Any]], bool]:
        if self.at("not"):
            self.take()
            inner = self.unary()
            return lambda row: not inner(row)
        if self.at("("):
            self.take()
            inner = self.expr()
            self.take(")")
            return inner
        kind, name = self.take()
        if name.lower() == "ispresent":
            self.take("(")
            field = self.take()[1]
            self.take(")")
            return lambda row: row.get(field) is not None
        if kind != "name":
            raise Malformed(f"expected a field, got {name!r}")
        op_kind, op = self.take()
        if op.lower() == "like":
            value_kind, value = self.take()
            if value_kind == "regex":
                pattern = re.compile(value[1:-1])
            else:
                pattern = re.compile(re.escape(literal(value_kind, value)))
            return lambda row: isinstance(row.get(name), (str, int, float)) and bool(pattern.search(str(row[name])))
        if op not in ("=", "!=", "<", ">", "<=", ">="):
            raise Malformed(f"expected a comparison after {name}, got {op!r}")
        value = literal(*self.take())
        return lambda row: compare(row.get(name), op, value)

    # --- lists
    def names(self) -> list[str]:
        found = [self.take()[1]]
        while self.at(","):
            self.take()
            found.append(self.take()[1])
        return found


def compare(actual: Any, op: str, expected: Any) -> bool:
    if actual is None:
        return False
    if isinstance(expected, float):
        try:
            actual = float(actual)
        except (TypeError, ValueError):
            return op == "!="
    elif not isinstance(actual, str):
        actual = json.dumps(actual) if isinstance(actual, (dict, list)) else str(actual)
    return {
        "=": actual == expected,
        "!=": actual != expected,
        "<": actual < expected,
        ">": actual > expected,
        "<=": actual <= expected,
        ">=": actual >= expected,
    }[op]


def timestamp_text(ms: Any) -> str:
    return datetime.fromtimestamp(float(ms) / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


AGGREGATES = {"count", "min", "max", "earliest", "latest"}


def run(query: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    tokens = tokenize(query)
    commands: list[list[tuple[str, str]]] = [[]]
    for token in tokens:
        if token == ("op", "|"):
            commands.append([])
        else:
            commands[-1].append(token)
    rows.sort(key=lambda r: r["@timestamp"])
    limit = 1_000
    sorted_by: tuple[str, bool] | None = None
    stats_done = False
    shown: list[str] | None = None
    for command in commands:
        if not command:
            raise Malformed("empty command")
        parser = Parser(command)
        verb = parser.take()[1].lower()
        if verb == "fields":
            shown = shown or []
            while True:
                kind, name = parser.take()
                if name.lower() == "coalesce":
                    parser.take("(")
                    sources = [parser.take()]
                    while parser.at(","):
                        parser.take()
                        sources.append(parser.take())
                    parser.take(")")
                    parser.take("as")
                    alias = parser.take()[1]
                    for row in rows:
                        row[alias] = next(
                            (
                                (row.get(text) if k == "name" else literal(k, text))
                                for k, text in sources
                                if (row.get(text) if k == "name" else literal(k, text)) is not None
                            ),
                            None,
                        )
                    shown.append(alias)
                else:
                    shown.append(name)
                if not parser.at(","):
                    break
                parser.take()
        elif verb == "filter":
            predicate = parser.expr()
            rows = [row for row in rows if predicate(row)]
        elif verb == "stats":
            aggregates: list[tuple[str, str, str]] = []
            while True:
                fn = parser.take()[1].lower()
                if fn not in AGGREGATES:
                    raise Malformed(f"stats function {fn} is not implemented by the local emulator")
                parser.take("(")
                field = parser.take()[1]
                parser.take(")")
                alias = f"{fn}({field})"
                if parser.at("as"):
                    parser.take()
                    alias = parser.take()[1]
                aggregates.append((fn, field, alias))
                if not parser.at(","):
                    break
                parser.take()
            by = []
            if parser.at("by"):
                parser.take()
                by = parser.names()
            groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
            for row in rows:
                groups.setdefault(tuple(row.get(f) for f in by), []).append(row)
            out = []
            for key, members in groups.items():
                result = {f: v for f, v in zip(by, key)}
                for fn, field, alias in aggregates:
                    values = members if field == "*" else [m for m in members if m.get(field) is not None]
                    if fn == "count":
                        result[alias] = len(values)
                    elif not values:
                        result[alias] = None
                    elif fn in ("min", "max"):
                        result[alias] = (min if fn == "min" else max)(m[field] for m in values)
                    else:
                        result[alias] = (values[0] if fn == "earliest" else values[-1])[field]
                    if field == "@timestamp" and fn in ("min", "max", "earliest", "latest") and result[alias] is not None:
                        result[alias] = timestamp_text(result[alias])
                out.append(result)
            rows, stats_done, shown = out, True, None
        elif verb == "sort":
            field = parser.take()[1]
            descending = True
            if parser.at("asc") or parser.at("desc"):
                descending = parser.take()[1].lower() == "desc"
            sorted_by = (field, descending)
            rows.sort(key=lambda r: (r.get(field) is None, r.get(field)), reverse=descending)
            if descending:  # keep rows without the field last either way
                rows.sort(key=lambda r: r.get(field) is None)
        elif verb == "limit":
            limit = int(literal(*parser.take()))
        else:
            raise Malformed(f"command {verb} is not implemented by the local emulator")
        if parser.peek()[0] != "end":
            raise Malformed(f"unexpected {parser.peek()[1]!r} after {verb}")
    if not stats_done and sorted_by is None:
        rows.reverse()  # newest first, Insights' default
    results = []
    for row in rows[:limit]:
        keys = list(row.keys()) if stats_done else (shown or ["@timestamp", "@message"])
        result = {}
        for key in keys:
            value = row.get(key)
            if value is None:
                continue
            if key == "@timestamp" and not stats_done:
                value = timestamp_text(value)
            result[key] = value if isinstance(value, str) else json.dumps(value) if isinstance(value, (dict, list)) else str(value)
        if not stats_done and "@ptr" in row:
            result["@ptr"] = str(row["@ptr"])
        results.append(result)
    return results


def execute_query(log_groups: list[Any], query: str, start_time: int, end_time: int) -> list[dict[str, Any]]:
    # StartQuery's times are in seconds, events' in milliseconds.
    rows = [
        event_fields(event, stream, group)
        for group in log_groups
        for stream in group.streams.values()
        for event in stream.events
        if start_time * 1000 <= event.timestamp <= end_time * 1000 + 999
    ]
    return run(query, rows)


logs_models.execute_query = execute_query  # type: ignore[assignment]
