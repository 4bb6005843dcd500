"""Human wording of audit actions for the citizen's «Недавние действия».

The audit log stores codes ("health.appointment_book"); the cabinet says what happened in
the reader's language, translated when the page is drawn. Every code a service writes has
a sentence here (tests/test_activity.py reads the sources to keep it so); a code this
table does not know yet still reads as a sentence, named by its part of the portal.
"""

from django.utils.translation import gettext_lazy as _

ACTIVITY_LABELS = {
    # Account and family
    "user.registered": _("Регистрация на портале"),
    "user.logged_in": _("Вход на портал"),
    "user.password_changed": _("Изменён пароль"),
    "person.updated": _("Изменены личные данные"),
    "guardianship.created": _("Добавлен ребёнок"),
    "guardianship.verified": _("Подтверждено представительство ребёнка"),
    "delegation.requested": _("Запрошена доверенность"),
    "delegation.granted": _("Выдана доверенность"),
    "delegation.confirmed": _("Подтверждена доверенность"),
    "delegation.revoked": _("Отозвана доверенность"),
    "api_token.created": _("Создан API-токен"),
    "api_token.revoked": _("Отозван API-токен"),
    "notifications.preferences_set": _("Изменены настройки уведомлений"),
    # Ratings and the catalog
    "rating.created": _("Оценка услуги"),
    "rating.edited": _("Изменена оценка услуги"),
    "rating.answered": _("Ответ на отзыв об услуге"),
    "rating.tagged": _("Отзыву присвоена тема"),
    "ratings.imported": _("Загружены исторические оценки"),
    "service_ownership.granted": _("Назначен владелец услуги"),
    "service.created": _("Добавлена услуга в каталог"),
    "service.updated": _("Изменена услуга в каталоге"),
    "category.updated": _("Изменена категория каталога"),
    "catalog.imported": _("Загружен каталог услуг"),
    "analytics.usage_imported": _("Загружена статистика обращений"),
    # Doctor appointments and attachment
    "health.appointment_book": _("Запись к врачу"),
    "health.appointment_reschedule": _("Перенос записи к врачу"),
    "health.appointment_cancel": _("Отмена записи к врачу"),
    "health.appointment_mark": _("Отметка о приёме в регистратуре"),
    "health.no_shows_mark": _("Отмечены неявки на приём"),
    "health.attachment_apply": _("Заявление о прикреплении к поликлинике"),
    "health.attachment_withdraw": _("Отозвано заявление о прикреплении"),
    "health.attachment_confirm": _("Оформлено прикрепление к поликлинике"),
    "health.attachment_decline": _("Отказано в прикреплении к поликлинике"),
    "health.patient_lookup": _("Поиск пациента в регистратуре"),
    "health.schedule_create": _("Создано расписание врача"),
    "health.schedule_change": _("Изменено расписание врача"),
    "health.absence_add": _("Внесено отсутствие врача"),
    "health.registrar_post_created": _("Регистратор прикреплён к поликлинике"),
    "health.registrar_post_deleted": _("Регистратор откреплён от поликлиники"),
    "health.supervisor_post_created": _("Назначен руководитель поликлиники"),
    "health.supervisor_post_deleted": _("Снято назначение руководителя поликлиники"),
    "health.clinics_imported": _("Загружен реестр поликлиник"),
    "health.icd10_imported": _("Загружен справочник МКБ-10"),
    "health.labs_imported": _("Загружены результаты анализов"),
    # The medical record
    "health.record_emergency_access": _("Экстренный доступ к медицинской карте"),
    "health.emergency_access_reviewed": _("Разобран экстренный доступ к медицинской карте"),
    "health.encounter_open": _("Начат приём пациента"),
    "health.encounter_record": _("Запись о приёме в медицинской карте"),
    "health.entry_amendment_start": _("Начато исправление записи медицинской карты"),
    "health.condition_record": _("Внесено заболевание в медицинскую карту"),
    "health.study_record": _("Внесено исследование в медицинскую карту"),
    "health.discharge_record": _("Внесена выписка из стационара"),
    "health.prescription_write": _("Выписан рецепт"),
    "health.immunization_record": _("Внесена прививка"),
    "health.sick_leave_open": _("Открыт больничный лист"),
    "health.sick_leave_extend": _("Продлён больничный лист"),
    "health.sick_leave_close": _("Закрыт больничный лист"),
    "health.lab_report_store": _("Сохранены результаты анализа"),
    "health.certificate_order": _("Заказ медицинской справки"),
    "health.certificate_prepare": _("Подготовлена медицинская справка"),
    "health.certificate_issue": _("Выдана медицинская справка"),
    "health.certificate_cancel": _("Отменена медицинская справка"),
    "health.diary_reading_add": _("Запись в дневнике здоровья"),
    "health.diary_reading_delete": _("Удалена запись из дневника здоровья"),
    # Meters (ЖКХ)
    "housing.readings_submit": _("Переданы показания счётчиков"),
    "housing.premises_link": _("Добавлена квартира"),
    "housing.link_request": _("Заявка на привязку квартиры"),
    "housing.link_request_confirm": _("Подтверждена привязка квартиры"),
    "housing.link_request_decline": _("Отклонена заявка на привязку квартиры"),
    "housing.link_request_expire": _("Истёк срок заявки на привязку квартиры"),
    "housing.reading_refer": _("Невозможное показание передано оператору"),
    "housing.referral_close": _("Разобрано невозможное показание"),
    "housing.premises_unlink": _("Квартира удалена из кабинета"),
    "housing.premises_view": _("Просмотр квартиры оператором"),
    "housing.correction_request": _("Запрос на исправление показаний"),
    "housing.correction_decide": _("Рассмотрен запрос на исправление показаний"),
    "housing.reading_reject": _("Отклонены показания счётчика"),
    "housing.reading_review": _("Проверены показания счётчика"),
    "housing.meter_replace": _("Заменён счётчик"),
    "housing.meter_changed": _("Изменены данные счётчика"),
    "housing.meters_imported": _("Загружен реестр счётчиков"),
    "housing.billing_export": _("Выгрузка показаний для начислений"),
    # Applications to departments (the citizen's side)
    "application.start": _("Начато заявление"),
    "application.file_add": _("Приложен файл к заявлению"),
    "application.file_remove": _("Удалён файл из заявления"),
    "application.draft_delete": _("Удалён черновик заявления"),
    "application.submitted": _("Отправлено заявление"),
    "application.withdrawn": _("Отозвано заявление"),
    "application.in_review": _("Заявление на рассмотрении"),
    "application.completed": _("Услуга по заявлению оказана"),
    "applications.definitions_import": _("Загружены определения услуг"),
    "applications.offices_import": _("Загружен список центров госуслуг"),
    # Applications to departments (the department's side)
    "application.registered": _("Заявление зарегистрировано"),
    "application.refused_to_accept": _("Отказано в приёме документов"),
    "application.info_requested": _("Запрошены сведения по заявлению"),
    "application.suspended": _("Рассмотрение заявления приостановлено"),
    "application.result_ready": _("Готов результат по заявлению"),
    "application.refused": _("Отказано в услуге по заявлению"),
    "application.assign": _("Назначен исполнитель заявления"),
    "application.note": _("Служебная заметка к заявлению"),
    "application.result_file": _("Выпущен документ-результат по заявлению"),
    "applications.definition_add": _("Загружена новая версия определения услуги"),
    "applications.department_post_deleted": _("Снято назначение сотрудника ведомства"),
    "department.created": _("Добавлено ведомство"),
    "department.updated": _("Изменено ведомство"),
    # The school diary (the teacher's journal and the school's registers)
    "school.lesson_marks_save": _("Выставлены оценки за урок"),
    "school.lesson_update": _("Изменены тема и задание урока"),
    "school.homework_file_add": _("К домашнему заданию прикреплён файл"),
    "school.homework_file_remove": _("Из домашнего задания убран файл"),
    "school.final_mark_set": _("Выставлена итоговая оценка"),
    "school.lessons_build": _("Уроки составлены по расписанию"),
    "school.schools_imported": _("Загружен реестр школ"),
    "school.subjects_imported": _("Загружен перечень учебных предметов"),
    # Clubs and sports sections (the family's side and the organisation's)
    "clubs.application_submitted": _("Подано заявление в кружок или секцию"),
    "clubs.application_withdrawn": _("Отозвано заявление в кружок или секцию"),
    "clubs.invitation_accepted": _("Принято приглашение в кружок или секцию"),
    "clubs.invitation_lapsed": _("Приглашение в кружок истекло, место передано дальше"),
    "clubs.application_moved": _("Решение по заявлению в кружок"),
    "clubs.group_created": _("Создана группа кружка"),
    "clubs.group_updated": _("Изменена группа кружка"),
    "clubs.group_capacity_set": _("Изменено число мест в группе"),
    "clubs.group_session_added": _("Добавлено занятие в расписание группы"),
    "clubs.group_session_removed": _("Убрано занятие из расписания группы"),
    "clubs.group_queue_read": _("Просмотрена очередь заявлений группы"),
    "clubs.attendance_export": _("Выгружен список группы"),
    "clubs.imported": _("Загружен реестр кружков и секций"),
    "clubs.demo_loaded": _("Загружены демонстрационные кружки"),
}

# Codes made of a stem and a suffix: a signed record entry of any section
# ("health.labs_finalise") and a back-office edit of a directory ("health.location_changed").
SUFFIX_LABELS = {
    "_finalise": _("Подписана запись в медицинской карте"),
    "_created": _("Добавлена запись в справочник"),
    "_changed": _("Изменена запись в справочнике"),
}

# A code no table knows yet: named by the part of the portal it belongs to.
AREA_LABELS = {
    "health": _("Действие в разделе «Здоровье»"),
    "housing": _("Действие в разделе «Показания счётчиков»"),
    "school": _("Действие в разделе «Электронный дневник»"),
    "clubs": _("Действие в разделе «Кружки и секции»"),
    "application": _("Действие с заявлением в ведомство"),
    "applications": _("Действие с услугами-заявлениями"),
    "rating": _("Действие с оценками услуг"),
    "user": _("Действие с учётной записью"),
}
ANY_ACTION = _("Действие на портале")


def describe(action: str) -> str:
    """A sentence for an audit code, in the active language."""
    if label := ACTIVITY_LABELS.get(action):
        return str(label)
    for suffix, label in SUFFIX_LABELS.items():
        if action.endswith(suffix):
            return str(label)
    return str(AREA_LABELS.get(action.split(".", 1)[0], ANY_ACTION))
