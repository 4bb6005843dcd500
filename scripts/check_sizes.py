"""`make lint`'s size check: no module of the portal past 800 lines, no function past 80.

A module that long holds more than one concern and a function that long more than one step
(DESIGN.md: a layer file becomes a package past ~500 lines, none goes past ~800). Migrations
are generated and are not counted. The demo city's generators (gorod/demo) may have longer
functions, data written out step by step, but not longer modules. Lines are the file's
lines, and a function's run from its `def` to its last line, docstring and comments included.

    python scripts/check_sizes.py [ROOT ...]    (default: gorod)

Prints every violation as path:line: what, and exits 1 if there is any.
"""

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

MAX_MODULE_LINES = 800
MAX_FUNCTION_LINES = 80
PROJECT = Path(__file__).resolve().parent.parent
# Functions here may be longer: the demo city's data generators.
LONG_FUNCTIONS_ALLOWED = ("gorod/demo/",)


def _relative(path: Path) -> str:
    return path.resolve().relative_to(PROJECT).as_posix()


def modules(roots: list[Path]) -> Iterator[Path]:
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def violations(path: Path) -> Iterator[str]:
    source = path.read_text(encoding="utf-8")
    name = _relative(path)
    lines = len(source.splitlines())
    if lines > MAX_MODULE_LINES:
        yield f"{name}:1: module of {lines} lines (at most {MAX_MODULE_LINES})"
    if name.startswith(LONG_FUNCTIONS_ALLOWED):
        return
    for node in ast.walk(ast.parse(source, filename=name)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                yield (
                    f"{name}:{node.lineno}: function {node.name} of {length} lines "
                    f"(at most {MAX_FUNCTION_LINES})"
                )


def main(argv: list[str]) -> int:
    roots = [Path(arg) for arg in argv] or [PROJECT / "gorod"]
    found = [problem for path in modules(roots) for problem in violations(path)]
    for problem in found:
        print(problem)
    if found:
        print(f"{len(found)} too long: split them by concern (scripts/check_sizes.py).")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
