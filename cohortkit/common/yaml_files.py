"""Reading YAML files whose every problem is reported with its line and the path of the field.

A loader composes the document (``NodeReader.compose``), then reads each value with a ``read_…``
method, which returns the value or records a problem (``line 14: weeks[2].minutes: …``) and returns
None, so one pass finds every error. ``FileFormatError`` carries those messages to the person.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from cohortkit.common.errors import InvalidInputError

# The largest value a PositiveSmallIntegerField holds on every supported database.
SMALL_INTEGER_MAX = 32767
SLUG_PATTERN = re.compile(r"^[-a-zA-Z0-9_]+$")


class FileFormatError(InvalidInputError):
    """A YAML file that cannot be loaded; ``messages`` holds one ``line N: field: problem`` each."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag == "tag:yaml.org,2002:null":
        return "nothing"
    return f'"{node.value}"'


class NodeReader:
    """Reads values out of a composed YAML tree and collects every problem with its line.

    Each ``read_…`` method returns the value, or None after recording a problem, so one pass over
    the file finds every error instead of stopping at the first.
    """

    def __init__(self, *, prefix: str = "") -> None:
        self.prefix = prefix
        self.messages: list[str] = []

    def error(self, node: yaml.Node | None, path: str, problem: str) -> None:
        line = node.start_mark.line + 1 if node is not None else 1
        location = f"{path}: " if path else ""
        self.messages.append(f"{self.prefix}line {line}: {location}{problem}")

    def compose(self, text: str) -> yaml.Node | None:
        """The document's root node, or None (with the syntax error and its line recorded)."""
        try:
            return yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as problem:
            mark = problem.problem_mark or problem.context_mark
            line = mark.line + 1 if mark is not None else 1
            reason = problem.problem or problem.context or "unreadable"
            self.messages.append(f"{self.prefix}line {line}: not valid YAML: {reason}")
        except yaml.YAMLError as problem:
            self.messages.append(f"{self.prefix}line 1: not valid YAML: {problem}")
        return None

    def read_mapping(
        self,
        node: yaml.Node,
        path: str,
        *,
        allowed: Iterable[str],
        required: Iterable[str] = (),
    ) -> dict[str, yaml.Node] | None:
        """The mapping's values by key; unknown, repeated and missing keys are problems."""
        if not isinstance(node, yaml.MappingNode):
            self.error(node, path, f"must be a mapping of keys to values, got {_describe(node)}")
            return None
        allowed_keys = list(allowed)
        values: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            key_path = f"{path}.{key}" if path else key
            if not isinstance(key_node, yaml.ScalarNode) or key not in allowed_keys:
                self.error(
                    key_node,
                    key_path,
                    f"unknown key; expected one of: {', '.join(allowed_keys)}",
                )
            elif key in values:
                self.error(key_node, key_path, "appears twice")
            else:
                values[key] = value_node
        for key in required:
            if key not in values:
                self.error(node, path or "(top level)", f"the key {key} is missing")
        return values

    def read_list(self, node: yaml.Node, path: str) -> list[yaml.Node] | None:
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.error(node, path, f"must be a list, got {_describe(node)}")
            return None
        return list(node.value)

    def read_text(
        self, node: yaml.Node, path: str, *, max_length: int | None = None, blank: bool = True
    ) -> str | None:
        """Text as written (so ``name: 2022`` is the text "2022"); null counts as blank."""
        if not isinstance(node, yaml.ScalarNode):
            self.error(node, path, f"must be text, got {_describe(node)}")
            return None
        text = "" if node.tag == "tag:yaml.org,2002:null" else str(node.value)
        if not blank and not text.strip():
            self.error(node, path, "must not be blank")
            return None
        if max_length is not None and len(text) > max_length:
            self.error(node, path, f"must be at most {max_length} characters, got {len(text)}")
            return None
        return text

    def read_whole_number(
        self,
        node: yaml.Node,
        path: str,
        *,
        minimum: int,
        maximum: int = SMALL_INTEGER_MAX,
        unit: str = "",
    ) -> int | None:
        what = f"a whole number of {unit}" if unit else "a whole number"
        expectation = f"must be {what} ≥ {minimum}"
        if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:int":
            self.error(node, path, f"{expectation}, got {_describe(node)}")
            return None
        value = int(yaml.SafeLoader("").construct_yaml_int(node))
        if value < minimum:
            self.error(node, path, f"{expectation}, got {value}")
            return None
        if value > maximum:
            self.error(node, path, f"must be at most {maximum}, got {value}")
            return None
        return value

    def read_boolean(self, node: yaml.Node, path: str) -> bool | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:bool":
            self.error(node, path, f"must be true or false, got {_describe(node)}")
            return None
        return bool(yaml.SafeLoader("").construct_yaml_bool(node))

    def read_url(self, node: yaml.Node, path: str, *, blank: bool = False) -> str | None:
        text = self.read_text(node, path, blank=blank)
        if text is None or not text:
            return text
        try:
            URLValidator(schemes=["http", "https"])(text)
        except ValidationError:
            self.error(node, path, f'must be a web address starting with https://, got "{text}"')
            return None
        if len(text) > 200:
            self.error(node, path, f"must be at most 200 characters, got {len(text)}")
            return None
        return text

    def read_slug(self, node: yaml.Node, path: str, *, max_length: int = 50) -> str | None:
        text = self.read_text(node, path, blank=False, max_length=max_length)
        if text is not None and not SLUG_PATTERN.match(text):
            self.error(node, path, f'must be a slug (letters, digits, - and _), got "{text}"')
            return None
        return text

    def read_date(self, node: yaml.Node, path: str) -> dt.date | None:
        text = self.read_text(node, path, blank=False)
        if text is None:
            return None
        try:
            return dt.date.fromisoformat(text.strip())
        except ValueError:
            self.error(node, path, f'must be a date like 2022-09-26, got "{text}"')
            return None
