"""Load and validate enterprise profiles from YAML or JSON, with errors that name the line."""

from __future__ import annotations

import json
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


class _DuplicateKey(ValueError):
    """A mapping that states a key twice (YAML and JSON would silently keep the last)."""


def _to_python(node: yaml.Node) -> _Located:
    line = node.start_mark.line + 1
    if node.tag == _BOOL_TAG and str(node.value).lower() not in ("true", "false"):
        # YAML 1.1 reads NO, ON, Y, yes... as booleans; as in YAML 1.2 only true and false
        # are: ``country: NO`` is Norway.
        return _Located(node.value, line)
    if isinstance(node, yaml.MappingNode):
        return _Located(_mapping(node), line)
    if isinstance(node, yaml.SequenceNode):
        return _Located([_to_python(v) for v in node.value], line)
    return _Located(yaml.SafeLoader("").construct_object(node, deep=True), line)


def _mapping(node: yaml.MappingNode) -> dict[Any, _Located]:
    mapping: dict[Any, _Located] = {}
    for key, value in node.value:
        if key.value in mapping:
            raise _DuplicateKey(
                f"line {key.start_mark.line + 1}: duplicate key {key.value!r} "
                f"(first given on line {mapping[key.value].line})"
            )
        mapping[key.value] = _to_python(value)
    return mapping


def _json_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    mapping: dict[str, Any] = {}
    for key, value in pairs:
        if key in mapping:
            raise _DuplicateKey(f"duplicate key {key!r}")
        mapping[key] = value
    return mapping


def _located_json(text: str, filename: str) -> _Located | None:
    """JSON read as JSON (tabs are fine), with lines from the YAML reader when it agrees.

    None when the text is not JSON and the file is not named ``.json``: YAML flow style
    (``{id: a}``) starts like JSON too.
    """
    duplicate: _DuplicateKey | None = None
    try:
        value = json.loads(text, object_pairs_hook=_json_pairs)
    except json.JSONDecodeError as exc:
        if not filename.lower().endswith(".json"):
            return None
        raise ProfileError(
            f"{filename}: not valid JSON: line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from exc
    except _DuplicateKey as exc:
        duplicate = exc
    try:
        # Tabs only separate tokens in valid JSON; YAML refuses them but reads the rest the
        # same, which gives each value its line for error messages.
        node = yaml.compose(text.replace("\t", " "))
        located = None if node is None else _to_python(node)
    except _DuplicateKey as exc:
        duplicate = exc  # the same key, now with its line
        located = None
    except yaml.YAMLError:
        located = None
    if duplicate is not None:
        raise ProfileError(f"{filename}: {duplicate}")
    if located is None or _plain(located) != value:
        return _at_line_one(value)
    return located


def _at_line_one(value: Any) -> _Located:
    if isinstance(value, dict):
        return _Located({k: _at_line_one(v) for k, v in value.items()}, 1)
    if isinstance(value, list):
        return _Located([_at_line_one(v) for v in value], 1)
    return _Located(value, 1)


def _compose(text: str, filename: str) -> _Located:
    if filename.lower().endswith(".json") or text.lstrip()[:1] in ("{", "["):
        located = _located_json(text, filename)
        if located is not None:
            return located
    try:
        node = yaml.compose(text)
    except yaml.YAMLError as exc:
        raise ProfileError(f"{filename}: not valid YAML/JSON: {exc}".replace("\n", " ")) from exc
    if node is None:
        raise ProfileError(f"{filename}: the file is empty")
    try:
        return _to_python(node)
    except _DuplicateKey as exc:
        raise ProfileError(f"{filename}: {exc}") from exc


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
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ProfileError(f"{filename}: the file is empty")
    root = _compose(text, filename)
    profiles: list[EnterpriseProfile] = []
    problems: list[dict[str, Any]] = []
    for doc in _documents(root):
        try:
            profile = EnterpriseProfile.model_validate(_plain(doc))
        except ValidationError as exc:
            for err in exc.errors():
                field = ".".join(str(p) for p in err["loc"]) or "(profile)"
                line = _line_of(doc, err["loc"])
                problems.append({"field": field, "line": line, "message": err["msg"]})
            continue
        if not any((n or "").strip() for n in (profile.name.zh, profile.name.en)):
            message = "a profile needs a name: name: {zh: ..., en: ...} (either or both)"
            problems.append({"field": "name", "line": _line_of(doc, ("name",)), "message": message})
        profiles.append(profile)
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
