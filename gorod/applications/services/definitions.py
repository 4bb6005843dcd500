"""A catalog editor adds a new version of a service's definition from its YAML text.

The text is checked exactly as `gorod import definitions` checks a file (the schema through
loader.load_text, then the catalog: the service exists, its kind, the version goes up); a
mistake is refused naming the path in the document and why, and nothing is saved. An old
version is never changed: applications started under it keep following it.
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gorod.applications.loader import DefinitionError, load_text
from gorod.applications.models import Definition
from gorod.applications.services.imports import _check_against_catalog, _newest_versions
from gorod.catalog.models import Service
from gorod.core.audit import audit_record
from gorod.core.errors import Conflict, Invalid

# A definition is a page of YAML; a megabyte is far beyond any real one.
TEXT_MAX_BYTES = 1_000_000


def _problems(problems) -> Invalid:
    return Invalid(
        "definition_invalid",
        _("В определении есть ошибки: исправьте их и загрузите снова."),
        field="text",
        details={
            "problems": [{"path": problem.path, "message": problem.message} for problem in problems]
        },
    )


def definition_add(*, actor, text: str, source: str = "") -> Definition:
    """Check `text` and store it as the service's next version; raises Invalid listing
    every problem (path and why) or Conflict when it is the same as the newest version."""
    if not text or not text.strip():
        raise Invalid("definition_empty", _("Вставьте текст определения или загрузите файл."))
    if len(text.encode("utf-8", errors="replace")) > TEXT_MAX_BYTES:
        raise Invalid("definition_too_big", _("Определение больше 1 МБ."), field="text")
    name = source or "definition.yaml"
    try:
        loaded = load_text(text, file=name)
    except DefinitionError as error:
        raise _problems(error.problems) from None
    slug = loaded.definition.service
    newest = _newest_versions()
    services = {service.slug: service for service in Service.objects.filter(slug=slug)}
    problem, service = _check_against_catalog(loaded, services, newest)
    if problem is not None:
        raise _problems([problem])
    if newest.get(slug, (0, ""))[1] == loaded.sha256:
        raise Conflict(
            "definition_unchanged",
            _("Это определение совпадает с последней версией: новой версии не нужно."),
        )
    try:
        with transaction.atomic():
            definition = Definition.objects.create(
                service=service,
                version=loaded.definition.version,
                kind=loaded.definition.kind,
                document=loaded.document,
                sha256=loaded.sha256,
                source_file=name[:300],
            )
            audit_record(
                actor=actor,
                action="applications.definition_add",
                target=definition,
                service=slug,
                version=definition.version,
            )
    except IntegrityError:
        # Another editor stored this version a moment ago.
        raise Conflict(
            "definition_version_taken",
            _("Версия %(version)d уже загружена: поднимите номер версии.")
            % {"version": loaded.definition.version},
        ) from None
    return definition
