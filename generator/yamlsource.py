"""Parse YAML into plain data plus a map from key paths to line numbers.

Line numbers let every later check say `file:line`. Parsing never raises:
problems come back as `Diagnostic`s.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from .diagnostics import Diagnostic

Path = tuple  # a key path such as ("clauses", 3, "items", 0, "points")

MAX_NODES = 200_000  # guards against alias bombs ("billion laughs")


@dataclass
class Parsed:
    """Data of one YAML file and the line of every key path in it."""

    file: str
    data: object = None
    lines: dict = field(default_factory=dict)

    def line_of(self, path: Path) -> int:
        """The line of `path`, or of its closest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


class _Limit(Exception):
    pass


class _Builder:
    def __init__(self, parsed: Parsed, diagnostics: list):
        self.parsed = parsed
        self.diagnostics = diagnostics
        self.constructor = yaml.constructor.SafeConstructor()
        self.count = 0

    def build(self, node, path: Path, depth: int = 0):
        self.count += 1
        if self.count > MAX_NODES or depth > 100:
            raise _Limit
        if isinstance(node, yaml.ScalarNode):
            try:
                return self.constructor.construct_object(node, deep=True)
            except Exception:  # a bad timestamp or tag: keep the text, the schema will complain
                return node.value
        if isinstance(node, yaml.SequenceNode):
            out = []
            for i, child in enumerate(node.value):
                self.parsed.lines.setdefault(path + (i,), child.start_mark.line + 1)
                out.append(self.build(child, path + (i,), depth + 1))
            return out
        if isinstance(node, yaml.MappingNode):
            out = {}
            first_line = {}
            for key_node, value_node in node.value:
                key = self.build(key_node, path, depth + 1)
                if isinstance(key, (list, dict)):
                    key = str(key)
                line = key_node.start_mark.line + 1
                if key == "<<":  # merge keys: take the merged mapping's entries
                    merged = self.build(value_node, path, depth + 1)
                    for k, v in (merged.items() if isinstance(merged, dict) else []):
                        out.setdefault(k, v)
                    continue
                if key in out:
                    self.diagnostics.append(Diagnostic.make(
                        self.parsed.file, line, "yaml_duplicate_key", key=key, first=first_line[key]))
                first_line.setdefault(key, line)
                self.parsed.lines[path + (key,)] = line
                out[key] = self.build(value_node, path + (key,), depth + 1)
            return out
        return None


# LibYAML's parser when PyYAML has it (the wheels do): a tenth of the pure-Python parser's time, with the
# same nodes, lines and columns. Its error texts are terser, so a file it cannot parse is parsed again by
# the pure-Python parser for the message (tests/test_standards_errors.py compares the two).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _compose(text: str):
    try:
        return yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError:
        if _LOADER is yaml.SafeLoader:
            raise
    return yaml.compose(text, Loader=yaml.SafeLoader)   # raises again, with PyYAML's own message


def parse_yaml(text: str, file: str) -> tuple[Parsed, list[Diagnostic]]:
    """Parse `text`; return the data with its line map and any problems found."""
    parsed = Parsed(file=file)
    diagnostics: list[Diagnostic] = []
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "无法解析"
        diagnostics.append(Diagnostic.make(file, line, "yaml_syntax", column=column,
                                           problem=problem))
        return parsed, diagnostics
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        diagnostics.append(Diagnostic.make(file, 1, "yaml_syntax", column=1,
                                           problem=type(exc).__name__))
        return parsed, diagnostics
    if node is None:
        diagnostics.append(Diagnostic.make(file, 1, "yaml_empty"))
        return parsed, diagnostics
    parsed.lines[()] = node.start_mark.line + 1
    try:
        parsed.data = _Builder(parsed, diagnostics).build(node, ())
    except (_Limit, RecursionError):
        diagnostics.append(Diagnostic.make(file, node.start_mark.line + 1, "yaml_too_deep"))
        parsed.data = None
    return parsed, diagnostics
