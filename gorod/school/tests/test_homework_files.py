"""Files attached to a lesson's homework by its teacher, on the journal's page and over the
API: the family's diary lists and downloads them; a file whose bytes are not an accepted
type, or too large, is refused with nothing stored; only the lesson's teacher writes
(another teacher, a parent, a student: 404; the class teacher: 403; anonymous: 401 or the
sign-in page), and nothing is written then; a removal is audited."""

import io
import zipfile
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gorod.core.errors import Forbidden, Invalid, NotFound
from gorod.core.models import AuditEvent
from gorod.school import homework
from gorod.school.models import HomeworkFile
from gorod.school.tests.journal_world import LESSON_EVENING, world

pytestmark = pytest.mark.django_db
__all__ = ["world"]

BASE = "/api/v1/school/journal"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(private_files):
    return private_files


@pytest.fixture
def evening(time_machine):
    time_machine.move_to(LESSON_EVENING)


def upload(name="tasks.pdf", data=PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def add_url(world):
    return reverse("school:journal_homework_file_add", args=[world.lesson.pk])


def remove_url(world, attachment):
    return reverse("school:journal_homework_file_remove", args=[world.lesson.pk, attachment.pk])


def stored_files(media) -> list:
    return [path for path in media.rglob("*") if path.is_file()]


def nothing_written(media) -> bool:
    return not (
        HomeworkFile.objects.exists()
        or stored_files(media)
        or AuditEvent.objects.filter(action__startswith="school.homework_file").exists()
    )


# --- the journal's page ------------------------------------------------------------------


def test_the_teacher_attaches_a_file_and_the_parent_downloads_it(client, world, evening, media):
    client.force_login(world.teacher.user)
    page = client.get(reverse("school:journal_lesson", args=[world.lesson.pk])).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert '<label for="id_file">' in page
    response = client.post(add_url(world), {"file": upload("Задачи №5.pdf")}, follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "school:journal_lesson", args=[world.lesson.pk]
    )
    html = response.content.decode()
    assert "Файл «Задачи №5.pdf» прикреплён к заданию." in html
    assert "Задачи №5.pdf" in html
    attachment = HomeworkFile.objects.get()
    assert (attachment.lesson, attachment.name, attachment.size) == (
        world.lesson,
        "Задачи №5.pdf",
        len(PDF),
    )
    assert attachment.content_type == "application/pdf"
    assert len(stored_files(media)) == 1
    assert remove_url(world, attachment) in html
    event = AuditEvent.objects.get(action="school.homework_file_add")
    assert event.actor == world.teacher.user
    assert event.target_id == str(world.lesson.pk)

    client.force_login(world.guardian.user)
    week = client.get(
        f"{reverse('school:diary')}?{urlencode({'student': world.first.pk, 'week': '2026-09-14'})}"
    )
    assert week.status_code == 200
    file_url = reverse("school:diary_homework_file", args=[world.first.pk, attachment.pk])
    assert file_url in week.content.decode()
    download = client.get(file_url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]


def test_an_office_document_is_accepted(world):
    added = homework.homework_file_add(
        actor=world.teacher.user, lesson_id=world.lesson.pk, upload=upload("t.docx", docx())
    )
    assert added.content_type.endswith("wordprocessingml.document")
    assert added.file.name.endswith(".docx")


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("setup.pdf", EXE, "file_type"),
        ("notes.pdf", b"just some text, not a PDF", "file_type"),
        ("big.pdf", PDF + b"\x00" * homework.HOMEWORK_FILE_MAX_BYTES, "file_too_large"),
        ("empty.pdf", b"", "file_empty"),
    ],
)
def test_a_wrong_type_or_size_is_refused_and_nothing_stored(
    client, world, evening, media, name, data, code
):
    client.force_login(world.teacher.user)
    response = client.post(add_url(world), {"file": upload(name, data)})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="id_file_error"' in html
    assert 'aria-invalid="true"' in html
    assert nothing_written(media)
    with pytest.raises(Invalid) as refused:
        homework.homework_file_add(
            actor=world.teacher.user, lesson_id=world.lesson.pk, upload=upload(name, data)
        )
    assert refused.value.code == code
    assert nothing_written(media)


def test_the_type_message_names_the_accepted_types(client, world, evening):
    client.force_login(world.teacher.user)
    html = client.post(add_url(world), {"file": upload("setup.pdf", EXE)}).content.decode()
    assert "Такой файл не принимаем: только PDF, JPEG, PNG, DOCX, XLSX, PPTX, ODT." in html


def test_no_file_chosen_is_shown_next_to_the_input(client, world, evening, media):
    client.force_login(world.teacher.user)
    response = client.post(add_url(world), {})
    assert response.status_code == 422
    assert "Выберите файл." in response.content.decode()
    assert nothing_written(media)


def test_at_most_ten_files_a_lesson(world, media):
    for number in range(homework.HOMEWORK_FILES_PER_LESSON):
        homework.homework_file_add(
            actor=world.teacher.user, lesson_id=world.lesson.pk, upload=upload(f"{number}.pdf")
        )
    with pytest.raises(Invalid) as refused:
        homework.homework_file_add(
            actor=world.teacher.user, lesson_id=world.lesson.pk, upload=upload("11.pdf")
        )
    assert refused.value.code == "too_many_files"
    assert HomeworkFile.objects.count() == homework.HOMEWORK_FILES_PER_LESSON
    assert len(stored_files(media)) == homework.HOMEWORK_FILES_PER_LESSON


def test_the_name_is_only_shown_and_stored_under_a_name_of_its_own(world):
    added = homework.homework_file_add(
        actor=world.teacher.user,
        lesson_id=world.lesson.pk,
        upload=upload("../../etc/passwd\x07.pdf"),
    )
    assert added.name == "passwd.pdf"
    assert "passwd" not in added.file.name
    assert added.file.name.startswith("school/homework/")


@pytest.mark.parametrize("who", ["other_teacher", "guardian", "student"])
def test_anyone_but_the_lessons_teachers_finds_no_lesson(client, world, evening, media, who):
    user = {
        "other_teacher": world.other_teacher.user,
        "guardian": world.guardian.user,
        "student": world.student_user,
    }[who]
    client.force_login(user)
    assert client.post(add_url(world), {"file": upload()}).status_code == 404
    assert (
        client.post(f"{BASE}/lessons/{world.lesson.pk}/files", {"file": upload()}).status_code
        == 404
    )
    with pytest.raises(NotFound):
        homework.homework_file_add(actor=user, lesson_id=world.lesson.pk, upload=upload())
    assert nothing_written(media)


def test_the_class_teacher_reads_but_does_not_attach(client, world, evening, media):
    client.force_login(world.class_teacher.user)
    page = client.get(reverse("school:journal_lesson", args=[world.lesson.pk])).content.decode()
    assert 'enctype="multipart/form-data"' not in page
    assert client.post(add_url(world), {"file": upload()}).status_code == 403
    refused = client.post(f"{BASE}/lessons/{world.lesson.pk}/files", {"file": upload()})
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_your_subject"
    with pytest.raises(Forbidden):
        homework.homework_file_add(
            actor=world.class_teacher.user, lesson_id=world.lesson.pk, upload=upload()
        )
    assert nothing_written(media)


def test_anonymous_is_sent_to_sign_in_or_401(client, world, media):
    response = client.post(add_url(world), {"file": upload()})
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert (
        client.post(f"{BASE}/lessons/{world.lesson.pk}/files", {"file": upload()}).status_code
        == 401
    )
    assert nothing_written(media)


def test_removal_works_and_is_audited(
    client, world, evening, media, django_capture_on_commit_callbacks
):
    added = homework.homework_file_add(
        actor=world.teacher.user, lesson_id=world.lesson.pk, upload=upload()
    )
    # Neither another teacher nor the class teacher removes it.
    client.force_login(world.other_teacher.user)
    assert client.post(remove_url(world, added)).status_code == 404
    client.force_login(world.class_teacher.user)
    client.post(remove_url(world, added))
    assert HomeworkFile.objects.filter(pk=added.pk).exists()
    assert not AuditEvent.objects.filter(action="school.homework_file_remove").exists()

    client.force_login(world.teacher.user)
    # The bytes go once the removal has committed.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(remove_url(world, added), follow=True)
    assert "Файл убран из задания." in response.content.decode()
    assert not HomeworkFile.objects.exists()
    assert stored_files(media) == []
    event = AuditEvent.objects.get(action="school.homework_file_remove")
    assert event.actor == world.teacher.user
    assert event.target_id == str(world.lesson.pk)
    # A second removal: the file is gone.
    assert client.post(remove_url(world, added)).status_code == 404


def test_a_file_of_another_lesson_is_not_found(world):
    other = homework.homework_file_add(
        actor=world.class_teacher.user, lesson_id=world.russian_lesson.pk, upload=upload()
    )
    with pytest.raises(NotFound):
        homework.homework_file_remove(
            actor=world.teacher.user, lesson_id=world.lesson.pk, file_id=other.pk
        )
    assert HomeworkFile.objects.filter(pk=other.pk).exists()


# --- the API -------------------------------------------------------------------------------


def test_the_api_attaches_and_removes(
    client, world, evening, media, django_capture_on_commit_callbacks
):
    client.force_login(world.teacher.user)
    created = client.post(f"{BASE}/lessons/{world.lesson.pk}/files", {"file": upload("Задачи.pdf")})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["name"] == "Задачи.pdf"
    assert body["content_type"] == "application/pdf"
    assert body["size"] == len(PDF)
    assert body["lesson_id"] == world.lesson.pk

    refused = client.post(
        f"{BASE}/lessons/{world.lesson.pk}/files",
        {"file": upload("setup.pdf", EXE)},
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert refused.status_code == 422
    assert refused["Content-Type"].startswith("application/problem+json")
    assert refused.json()["code"] == "file_type"
    assert refused.json()["field"] == "file"
    assert HomeworkFile.objects.count() == 1

    file_url = f"{BASE}/lessons/{world.lesson.pk}/files/{body['id']}"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(file_url).status_code == 204
    assert not HomeworkFile.objects.exists()
    assert stored_files(media) == []
    missing = client.delete(file_url)
    assert missing.status_code == 404
    assert missing.json()["code"] == "homework_file_not_found"
    assert AuditEvent.objects.filter(action="school.homework_file_remove").count() == 1


def test_the_api_documents_the_routes(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    files = paths["/api/v1/school/journal/lessons/{lesson_id}/files"]["post"]
    assert "multipart/form-data" in files["requestBody"]["content"]
    assert {"201", "401", "403", "404", "422"} <= set(files["responses"])
    removal = paths["/api/v1/school/journal/lessons/{lesson_id}/files/{file_id}"]["delete"]
    assert {"204", "401", "403", "404"} <= set(removal["responses"])
