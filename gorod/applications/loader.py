"""Reading definition files: YAML in, blocks expanded, checked against the schema.

Pure: no database. A mistake is reported as a `DefinitionProblem` naming the file, the path
inside the document (`steps[1].fields[0].pattern`) and why, so an editor can go straight to
it; `gorod import definitions DIR` refuses the whole directory while any file has one.
"""

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from gorod.applications.schema import Definition

BLOCKS_FILE = Path(__file__).with_name("blocks.yaml")
DEFINITIONS_DIR = Path(__file__).with_name("definitions")
# A block may use another; deeper than this is a loop.
MAX_BLOCK_DEPTH = 8

_definition = TypeAdapter(Definition)


@dataclass(frozen=True)
class DefinitionProblem:
    file: str
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        return f"{where}: {self.message}"


class DefinitionError(Exception):
    def __init__(self, problems: list[DefinitionProblem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


@dataclass(frozen=True)
class LoadedDefinition:
    file: str
    definition: Any  # FormDefinition | InfoDefinition | ExternalDefinition
    # The expanded document as stored (JSON-ready) and its fingerprint: an unchanged file
    # imports as nothing new.
    document: dict
    sha256: str


class _StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """Safe YAML (libyaml's parser where built in) that refuses a key given twice, which
    PyYAML would otherwise resolve silently by keeping the last."""

    def construct_mapping(self, node, deep=False):
        keys = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in keys:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} is given twice", key_node.start_mark
                )
            keys.add(key)
        return super().construct_mapping(node, deep=deep)


def _yaml(text: str) -> Any:
    return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 — a SafeLoader subclass


@cache
def blocks() -> dict[str, Any]:
    return _yaml(BLOCKS_FILE.read_text(encoding="utf-8"))


def expand(node: Any, library: dict[str, Any], *, path: str = "", depth: int = 0) -> Any:
    """`node` with every `use: NAME` replaced by the named block (see blocks.yaml)."""
    if depth > MAX_BLOCK_DEPTH:
        raise _Mistake(path, "blocks use each other in a loop")
    if isinstance(node, dict):
        if "use" in node:
            block = _block(node["use"], library, path)
            rest = {key: value for key, value in node.items() if key != "use"}
            if rest and not isinstance(block, dict):
                raise _Mistake(path, f"block `{node['use']}` is a list: nothing to replace in it")
            merged = {**block, **rest} if rest else block
            return expand(merged, library, path=path, depth=depth + 1)
        return {
            key: expand(value, library, path=_join(path, key), depth=depth)
            for key, value in node.items()
        }
    if isinstance(node, list):
        items = []
        for index, item in enumerate(node):
            where = f"{path}[{index}]"
            if isinstance(item, dict) and set(item) == {"use"}:
                block = expand(
                    _block(item["use"], library, where), library, path=where, depth=depth + 1
                )
                items.extend(block if isinstance(block, list) else [block])
            else:
                items.append(expand(item, library, path=where, depth=depth))
        return items
    return node


class _Mistake(Exception):
    def __init__(self, path: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def _block(name: Any, library: dict[str, Any], path: str) -> Any:
    if not isinstance(name, str) or name not in library:
        raise _Mistake(_join(path, "use"), f"no block is named {name!r} (blocks.yaml)")
    return library[name]


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def _path_of(location: tuple, kind: Any) -> str:
    """Pydantic's error location as a path in the document: the union's tag dropped."""
    parts = list(location)
    if parts and parts[0] == kind:
        parts = parts[1:]
    path = ""
    for part in parts:
        path = f"{path}[{part}]" if isinstance(part, int) else _join(path, part)
    return path


def load_text(text: str, *, file: str) -> LoadedDefinition:
    """One definition from its YAML text; raises DefinitionError naming what is wrong."""
    try:
        raw = _yaml(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        reason = getattr(error, "problem", None) or str(error)
        raise DefinitionError(
            [DefinitionProblem(file, where, f"not valid YAML: {reason}")]
        ) from None
    if not isinstance(raw, dict):
        raise DefinitionError([DefinitionProblem(file, "", "a definition is a YAML mapping")])
    try:
        document = expand(raw, blocks())
    except _Mistake as mistake:
        raise DefinitionError([DefinitionProblem(file, mistake.path, mistake.message)]) from None
    try:
        definition = _definition.validate_python(document)
    except ValidationError as error:
        problems = [
            DefinitionProblem(file, _path_of(item["loc"], raw.get("kind")), item["msg"])
            for item in error.errors(include_url=False)
        ]
        raise DefinitionError(problems) from None
    stored = definition.model_dump(mode="json", by_alias=True, exclude_none=True)
    fingerprint = hashlib.sha256(
        json.dumps(stored, ensure_ascii=False, sort_keys=True).encode()
    ).hexdigest()
    return LoadedDefinition(file=file, definition=definition, document=stored, sha256=fingerprint)


def load_directory(directory: Path) -> tuple[list[LoadedDefinition], list[DefinitionProblem]]:
    """Every `*.yaml` under `directory`, each checked; a service given twice is a mistake."""
    loaded: list[LoadedDefinition] = []
    problems: list[DefinitionProblem] = []
    first_file_of: dict[str, str] = {}
    for path in sorted(directory.rglob("*.yaml")):
        name = str(path.relative_to(directory))
        try:
            one = load_text(path.read_text(encoding="utf-8"), file=name)
        except DefinitionError as error:
            problems.extend(error.problems)
            continue
        except UnicodeDecodeError:
            problems.append(DefinitionProblem(name, "", "not UTF-8 text"))
            continue
        slug = one.definition.service
        if slug in first_file_of:
            problems.append(
                DefinitionProblem(
                    name, "service", f"`{slug}` is defined in {first_file_of[slug]} too"
                )
            )
            continue
        first_file_of[slug] = name
        loaded.append(one)
    return loaded, problems


def definition_from_document(document: dict) -> Any:
    """A stored (already checked and expanded) document back as its schema model."""
    return _definition.validate_python(document)


def json_schema() -> dict:
    """The published JSON Schema of definitions (docs/definitions.schema.json, the API)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "gorod service definition",
        **_definition.json_schema(by_alias=True),
    }


def json_schema_text() -> str:
    return json.dumps(json_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
