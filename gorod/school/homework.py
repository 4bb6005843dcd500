"""Files attached to a lesson's homework by the teacher who writes the lesson; the family
reads them in the diary's week (diary_selectors.homework_file_get).

Who may: the teacher who gives the lesson (its assigned teacher or substitute), as for the
lesson's topic and homework (services.lesson_update); the class teacher reading another
teacher's subject is refused (403), anyone else finds no lesson (404).

The type is read from the file's bytes (`filetype`, magic numbers); the name and the
browser's word are not trusted, so an .exe renamed .pdf is refused. The bytes go to the
storage before the row; if the row or its audit is not written they are deleted again, and
a removed file's bytes go only once the removal has committed.
"""

import uuid

import filetype
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from gorod.core.audit import audit_record
from gorod.core.errors import Invalid, NotFound
from gorod.core.ids import valid_id
from gorod.school import journal_selectors as selectors
from gorod.school.models import HomeworkFile, Lesson
from gorod.school.services import _writer_of

# What a homework file may be, by what its bytes say (MIME type → the extension it is
# stored under): documents and pictures a family opens anywhere. Not executables, archives
# or anything else, whatever the name says.
HOMEWORK_FILE_TYPES = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
}
# The names of those types as the teacher is told them in a refusal.
HOMEWORK_FILE_KINDS = "PDF, JPEG, PNG, DOCX, XLSX, PPTX, ODT"
# A file's size limit: a scan or a worksheet fits, a video does not.
HOMEWORK_FILE_MAX_MB = 10
HOMEWORK_FILE_MAX_BYTES = HOMEWORK_FILE_MAX_MB * 1024 * 1024
# Files per lesson: enough for a worksheet and its pages, not a file store.
HOMEWORK_FILES_PER_LESSON = 10
# `filetype` reads the magic numbers at the start; an OOXML or ODF archive is recognised by
# its first entries, well inside the first 8 KiB.
_SNIFF_BYTES = 8192
_NAME_MAX = HomeworkFile._meta.get_field("name").max_length


def homework_file_not_found() -> NotFound:
    return NotFound("homework_file_not_found", _("Файл к заданию не найден."))


def _safe_name(name: str) -> str:
    """The teacher's file name as shown to the family: no folders, no control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(char for char in base if char.isprintable()).strip() or "file"
    return base[-_NAME_MAX:]


def _written_lesson(actor, lesson_id: int) -> Lesson:
    """The lesson, locked, if the actor writes its journal (404 / 403 otherwise)."""
    teacher = selectors.teacher_of(actor)
    lesson = selectors.lesson_for(teacher=teacher, lesson_id=lesson_id, lock=True)
    _writer_of(teacher, lesson)
    return lesson


def _refusal(data: bytes) -> tuple[str, str] | None:
    if not data:
        return "file_empty", _("Файл пустой.")
    if len(data) > HOMEWORK_FILE_MAX_BYTES:
        return "file_too_large", _("Файл больше %(mb)d МБ.") % {"mb": HOMEWORK_FILE_MAX_MB}
    if filetype.guess_mime(data[:_SNIFF_BYTES]) not in HOMEWORK_FILE_TYPES:
        return "file_type", _("Такой файл не принимаем: только %(kinds)s.") % {
            "kinds": HOMEWORK_FILE_KINDS
        }
    return None


def homework_file_add(*, actor, lesson_id: int, upload) -> HomeworkFile:
    """Attach an upload to the lesson's homework. Refusals are Invalid on the field `file`:
    `file_empty`, `file_too_large`, `file_type`, `too_many_files`."""
    with transaction.atomic():
        lesson = _written_lesson(actor, lesson_id)
        data = upload.read(HOMEWORK_FILE_MAX_BYTES + 1)
        refusal = _refusal(data)
        if refusal is not None:
            raise Invalid(*refusal, field="file")
        if HomeworkFile.objects.filter(lesson=lesson).count() >= HOMEWORK_FILES_PER_LESSON:
            raise Invalid(
                "too_many_files",
                _("К уроку прикреплено уже %(count)d файлов, больше нельзя.")
                % {"count": HOMEWORK_FILES_PER_LESSON},
                field="file",
            )
        mime = filetype.guess_mime(data[:_SNIFF_BYTES])
        attachment = HomeworkFile(
            lesson=lesson,
            name=_safe_name(getattr(upload, "name", "") or "file"),
            content_type=mime,
            size=len(data),
        )
        # Stored under a name of its own: the teacher's name is only shown.
        attachment.file.save(
            f"{uuid.uuid4().hex}.{HOMEWORK_FILE_TYPES[mime]}", ContentFile(data), save=False
        )
        try:
            attachment.save()
            audit_record(
                actor=actor,
                action="school.homework_file_add",
                target=lesson,
                file=attachment.pk,
                size=attachment.size,
            )
        except Exception:
            attachment.file.delete(save=False)
            raise
    return attachment


def homework_file_remove(*, actor, lesson_id: int, file_id: int) -> None:
    """Remove a file from the lesson's homework; a file of another lesson is 404."""
    with transaction.atomic():
        lesson = _written_lesson(actor, lesson_id)
        if not valid_id(file_id):
            raise homework_file_not_found()
        attachment = HomeworkFile.objects.filter(pk=file_id, lesson=lesson).first()
        if attachment is None:
            raise homework_file_not_found()
        storage, stored = attachment.file.storage, attachment.file.name
        attachment.delete()
        audit_record(actor=actor, action="school.homework_file_remove", target=lesson, file=file_id)
        if stored:
            transaction.on_commit(lambda: storage.delete(stored))
