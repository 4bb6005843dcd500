"""Background work of the school diary, run by `gorod worker`: the families' messages,
enqueued by the journal's saves on commit (ids only; notify.py makes the words)."""

from django_tasks import task

from gorod.school.notify import homework_notify, marks_notify


@task()
def send_mark_messages(lesson_id: int, change_ids: list[int]) -> dict:
    """Tell the guardians of a lesson's new and changed marks (idempotent by the key)."""
    return {"messages": marks_notify(lesson_id=lesson_id, change_ids=change_ids)}


@task()
def send_homework_messages(lesson_id: int) -> dict:
    """Tell the guardians of the lesson's students its homework (idempotent by the key)."""
    return {"messages": homework_notify(lesson_id=lesson_id)}
