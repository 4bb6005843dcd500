"""`make lint` holds the apps to their layering: an import that points up fails
lint-imports, which names the broken contract and the import (the contracts are in
pyproject.toml). Checked on a copy of the code, so the tree itself is never touched."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
CONTRACT = "Layers: every app imports only the apps below it"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    # The copy's package first on the path: grimp reads the modules Python would import.
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(  # noqa: S603 (the venv's own lint-imports on our own copy)
        [LINT_IMPORTS, root / "pyproject.toml", "--no-cache"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("layering")
    shutil.copy(PROJECT / "pyproject.toml", root)
    shutil.copytree(
        PROJECT / "gorod",
        root / "gorod",
        ignore=lambda _folder, names: [
            name for name in names if not name.endswith(".py") and "." in name
        ],
    )
    return root


def test_the_code_keeps_its_layers(copy):
    result = lint_imports(copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{CONTRACT} KEPT" in result.stdout


def test_an_import_that_points_up_breaks_the_layers(copy):
    rules = copy / "gorod" / "analytics" / "rules.py"
    # Analytics asking feedback: the cycle the ratings port (analytics.ratings) removed.
    rules.write_text(rules.read_text() + "\nfrom gorod.feedback import models  # noqa\n")
    result = lint_imports(copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{CONTRACT} BROKEN" in result.stdout
    assert "gorod.analytics is not allowed to import gorod.feedback" in result.stdout
    assert "gorod.analytics.rules -> gorod.feedback.models" in result.stdout
