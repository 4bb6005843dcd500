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
    "rating.created": _("Оценка услуги"),
    "rating.edited": _("Изменена оценка услуги"),
    "rating.answered": _("Ответ на отзыв об услуге"),
    "rating.tagged": _("Отзыву присвоена тема"),
    "ratings.imported": _("Загружены исторические оценки"),
    "service_ownership.granted": _("Назначен владелец услуги"),
}


def describe(action: str) -> str:
    return str(ACTIVITY_LABELS.get(action, action))
