"""CloudWatch Logs as the control plane reads it: filter patterns and time order.

moto understands a single term or one quoted phrase and answers *every* event for any other
pattern, and it returns FilterLogEvents' events stream by stream unless asked to interleave
(AWS always interleaves now: the parameter is deprecated). Here a pattern means what the
CloudWatch Logs filter pattern syntax says for unstructured logs:
  - terms and "quoted phrases": each must appear (case-sensitive);
  - -term: must not appear;  ?term: at least one of the ?-terms must appear;
  - %regex%: the regular expression must match somewhere.
and for JSON lines, { $.a.b = "x" && $.c >= 1 || ... } (selectors with .names and [index];
=, !=, <, >, <=, >=; strings with * wildcards, numbers, NULL, TRUE, FALSE). Parentheses and
space-delimited ([a, b]) patterns are refused, rather than silently matching everything.
"""

from __future__ import annotations

import fnmatch
import functools
import json
import re
import shlex
from typing import Any, Callable

from moto.logs import models as logs_models
from moto.logs.exceptions import InvalidParameterException


JSON_TERM = re.compile(
    r"""\s*(\$(?:\.[A-Za-z0-9_-]+|\[\d+\])+)\s*(=|!=|<=|>=|<|>)\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|[A-Za-z0-9_*.:/-]+)\s*$"""
)
MISSING = object()


def select(document: Any, selector: str) -> Any:
    for name, index in re.findall(r"\.([A-Za-z0-9_-]+)|\[(\d+)\]", selector[1:]):
        if name and isinstance(document, dict):
            document = document.get(name, MISSING)
        elif index and isinstance(document, list) and int(index) < len(document):
            document = document[int(index)]
        else:
            return MISSING
        if document is MISSING:
            return MISSING
    return document


def json_term(term: str) -> Callable[[Any], bool]:
    match = JSON_TERM.match(term)
    if not match:
        raise InvalidParameterException(msg=f"Invalid JSON filter pattern term: {term.strip()}")
    selector, op, raw = match.groups()
    if raw in ("NULL", "TRUE", "FALSE"):
        constant = {"NULL": None, "TRUE": True, "FALSE": False}[raw]
        return lambda doc: (select(doc, selector) is constant) == (op == "=") and select(doc, selector) is not MISSING
    if re.fullmatch(r"-?\d+(?:\.\d+)?", raw):
        number = float(raw)
        compare = {"=": float.__eq__, "!=": float.__ne__, "<": float.__lt__, ">": float.__gt__, "<=": float.__le__, ">=": float.__ge__}[op]

        def numeric(doc: Any) -> bool:
            value = select(doc, selector)
            return isinstance(value, (int, float)) and not isinstance(value, bool) and compare(float(value), number)

        return numeric
    if op not in ("=", "!="):
        raise InvalidParameterException(msg=f"Strings compare with = or != only: {term.strip()}")
    text = json.loads(raw) if raw.startswith('"') else raw

    def string(doc: Any) -> bool:
        value = select(doc, selector)
        if not isinstance(value, str):
            return op == "!=" and value is not MISSING
        return fnmatch.fnmatchcase(value, text) == (op == "=")

    return string


def json_pattern(pattern: str) -> Callable[[str], bool]:
    body = pattern.strip()[1:-1]
    if "(" in body.replace("\\(", ""):
        raise InvalidParameterException(msg="Parentheses in JSON filter patterns are not implemented by the local emulator")
    # || of &&-groups: && binds tighter, as in the filter pattern syntax.
    groups = [[json_term(term) for term in group.split("&&")] for group in body.split("||")]

    def matches(message: str) -> bool:
        try:
            document = json.loads(message)
        except ValueError:
            return False
        return any(all(term(document) for term in group) for group in groups)

    return matches


class FilterPattern:
    def __init__(self, pattern: str):
        self.required: list[Callable[[str], bool]] = []
        self.optional: list[Callable[[str], bool]] = []
        self.excluded: list[Callable[[str], bool]] = []
        pattern = pattern.strip()
        if pattern.startswith("{") and pattern.endswith("}"):
            self.required.append(json_pattern(pattern))
            return
        if pattern.startswith("{") or pattern.startswith("["):
            raise InvalidParameterException(
                msg="Space-delimited filter patterns are not implemented by the local emulator"
            )
        for token in self.tokens(pattern):
            target = self.required
            if token.startswith("-") and len(token) > 1:
                target, token = self.excluded, token[1:]
            elif token.startswith("?") and len(token) > 1:
                target, token = self.optional, token[1:]
            target.append(self.matcher(token))

    @staticmethod
    def tokens(pattern: str) -> list[str]:
        # %regex% may hold spaces and quotes: cut them out before splitting the rest like a shell.
        regexes: list[str] = []

        def keep(match: re.Match[str]) -> str:
            regexes.append(match.group(0))
            return f" \x00{len(regexes) - 1}\x00 "

        rest = re.sub(r"[-?]?%(?:[^%\\]|\\.)*%", keep, pattern)
        try:
            parts = shlex.split(rest, posix=True)
        except ValueError as err:
            raise InvalidParameterException(msg=f"Invalid filter pattern: {err}") from err
        return [regexes[int(p[1:-1])].strip() if p.startswith("\x00") else p for p in parts]

    @staticmethod
    def matcher(token: str) -> Callable[[str], bool]:
        if len(token) >= 2 and token.startswith("%") and token.endswith("%"):
            try:
                regex = re.compile(token[1:-1])
            except re.error as err:
                raise InvalidParameterException(msg=f"Invalid regular expression {token}: {err}") from err
            return lambda message: regex.search(message) is not None
        return lambda message: token in message

    def matches(self, message: str) -> bool:
        if any(m(message) for m in self.excluded):
            return False
        if not all(m(message) for m in self.required):
            return False
        return not self.optional or any(m(message) for m in self.optional)


@functools.lru_cache(maxsize=256)
def compiled(pattern: str) -> FilterPattern:
    return FilterPattern(pattern or "")


class EventMessageFilter:
    """moto's name for it: constructed per event there, so the parsed pattern is cached."""

    def __init__(self, pattern: str):
        self.pattern = compiled(pattern or "")

    def matches(self, message: str) -> bool:
        return self.pattern.matches(message)


logs_models.EventMessageFilter = EventMessageFilter  # type: ignore[misc,assignment]

original_group_filter = logs_models.LogGroup.filter_log_events


def group_filter_log_events(self: Any, *args: Any, **kwargs: Any) -> Any:
    # AWS answers in time order across streams (interleaved is always true).
    if "interleaved" in kwargs:
        kwargs["interleaved"] = True
    else:
        args = (*args[:-1], True)
    return original_group_filter(self, *args, **kwargs)


logs_models.LogGroup.filter_log_events = group_filter_log_events
