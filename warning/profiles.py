"""Load and validate enterprise profiles from YAML or JSON, with errors that name the line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from core.types import EnterpriseProfile


class ProfileError(ValueError):
    """A profile file that cannot be used; the message names the file, field and line.

    ``problems`` holds the same facts as data: ``{"field", "line", "message"}`` each.
    """

    def __init__(self, message: str, problems: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


@dataclass(frozen=True)
class _Located:
    value: Any
    line: int


_BOOL_TAG = "tag:yaml.org,2002:bool"


def _to_python(node: yaml.Node) -> _Located:
    line = node.start_mark.line + 1
    if node.tag == _BOOL_TAG and str(node.value).lower() not in ("true", "false"):
        # YAML 1.1 reads NO, ON, Y, yes... as booleans; as in YAML 1.2 only true and false
        # are: ``country: NO`` is Norway.
        return _Located(node.value, line)
    if isinstance(node, yaml.MappingNode):
        return _Located({k.value: _to_python(v) for k, v in node.value}, line)
    if isinstance(node, yaml.SequenceNode):
        return _Located([_to_python(v) for v in node.value], line)
    return _Located(yaml.SafeLoader("").construct_object(node, deep=True), line)


def _plain(located: _Located) -> Any:
    value = located.value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _line_of(root: _Located, loc: tuple[int | str, ...]) -> int:
    node = root
    for key in loc:
        value = node.value
        if isinstance(value, dict) and key in value:
            node = value[key]
        elif isinstance(value, list) and isinstance(key, int) and key < len(value):
            node = value[key]
        else:
            break
    return node.line


def _documents(root: _Located) -> list[_Located]:
    value = root.value
    if isinstance(value, list):
        return value
    if isinstance(value, dict) and "enterprises" in value and len(value) == 1:
        inner = value["enterprises"]
        return inner.value if isinstance(inner.value, list) else [inner]
    return [root]


def parse_profiles(text: str, filename: str = "<profile>") -> list[EnterpriseProfile]:
    """Parse one profile, a list of them, or ``{enterprises: [...]}`` from YAML/JSON text.

    Raises:
        ProfileError: naming the file, the field and the line of the first problems.
    """
    try:
        node = yaml.compose(text)
    except yaml.YAMLError as exc:
        raise ProfileError(f"{filename}: not valid YAML/JSON: {exc}".replace("\n", " ")) from exc
    if node is None:
        raise ProfileError(f"{filename}: the file is empty")
    root = _to_python(node)
    profiles: list[EnterpriseProfile] = []
    problems: list[dict[str, Any]] = []
    for doc in _documents(root):
        try:
            profiles.append(EnterpriseProfile.model_validate(_plain(doc)))
        except ValidationError as exc:
            for err in exc.errors():
                field = ".".join(str(p) for p in err["loc"]) or "(profile)"
                line = _line_of(doc, err["loc"])
                problems.append({"field": field, "line": line, "message": err["msg"]})
    if problems:
        text = "; ".join(f"line {p['line']}: {p['field']}: {p['message']}" for p in problems[:10])
        raise ProfileError(f"{filename}: {text}", problems)
    ids = [p.id for p in profiles]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ProfileError(f"{filename}: duplicate profile id(s): {', '.join(duplicates)}")
    return profiles


def load_profiles(path: Path) -> list[EnterpriseProfile]:
    """Read and validate a profile file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: cannot read: {exc}") from exc
    return parse_profiles(text, str(path))
