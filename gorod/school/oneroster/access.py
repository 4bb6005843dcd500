"""Who may read a school through OneRoster: its head teacher (завуч), and only that
school. Both doors ask here; the REST binding maps the refusals to the standard's codes."""

from django.utils.translation import gettext as _

from gorod.core.errors import Forbidden, Unauthenticated
from gorod.school.models import Teacher
from gorod.school.oneroster.roster import Roster


def head_teacher_roster(*, actor) -> tuple[Teacher, Roster]:
    """The actor's school as OneRoster rows, for an active head teacher; otherwise
    Unauthenticated (nobody signed in) or Forbidden (anyone else)."""
    if not getattr(actor, "is_authenticated", False):
        raise Unauthenticated(
            "oneroster_not_signed_in",
            _("Передайте персональный API-токен завуча в заголовке Authorization: Bearer."),
        )
    teacher = (
        Teacher.objects.select_related("school")
        .filter(user=actor, is_head_teacher=True, active=True)
        .first()
    )
    if teacher is None:
        raise Forbidden(
            "oneroster_head_teacher_only", _("Данные OneRoster открыты только завучу школы.")
        )
    return teacher, Roster(teacher.school)
