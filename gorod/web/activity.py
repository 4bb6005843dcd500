"""Human wording of audit actions for the citizen's "recent activity" list."""

from django.utils.translation import gettext_lazy as _

ACTIVITY_LABELS = {
    "user.registered": _("Регистрация на портале"),
    "person.updated": _("Изменены личные данные"),
    "guardianship.created": _("Добавлен ребёнок"),
    "guardianship.verified": _("Подтверждено представительство ребёнка"),
    "api_token.created": _("Создан API-токен"),
    "api_token.revoked": _("Отозван API-токен"),
    "user.logged_in": _("Вход на портал"),
    "user.password_changed": _("Изменён пароль"),
}


def describe(action: str) -> str:
    return str(ACTIVITY_LABELS.get(action, action))
