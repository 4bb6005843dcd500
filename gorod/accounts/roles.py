"""Staff roles as Django groups, kept in step with this table after every migrate.

Later domains add their own permissions to the role that needs them; a role listed here
with no permissions yet exists so that staff can be assigned before their module ships.
"""

from django.contrib.auth.models import Group, Permission
from django.utils.translation import gettext_lazy as _

ROLES: dict[str, tuple[str, list[str]]] = {
    "catalog_editor": (
        _("Редактор каталога"),
        [
            "catalog.view_category",
            "catalog.change_category",
            "catalog.view_department",
            "catalog.add_department",
            "catalog.change_department",
            "catalog.view_service",
            "catalog.add_service",
            "catalog.change_service",
            # Service definitions: browsed and previewed; a new version is added, an old one
            # never changed (applications follow the version they started under).
            "applications.view_definition",
            "applications.add_definition",
            "applications.view_office",
            "applications.add_office",
            "applications.change_office",
            # Who works which department's queue.
            "applications.view_departmentpost",
            "applications.add_departmentpost",
            "applications.change_departmentpost",
            "applications.delete_departmentpost",
        ],
    ),
    # A department's staff member: with a post in a department (applications.DepartmentPost)
    # works its queue of applications at /applications/desk/.
    "department_operator": (
        _("Сотрудник ведомства"),
        [
            "applications.view_application",
            "applications.change_application",
            "applications.view_file",
            "applications.view_event",
            "applications.view_office",
        ],
    ),
    "operator": (
        _("Оператор"),
        [
            "accounts.view_person",
            "accounts.change_person",
            "accounts.view_guardianship",
            "accounts.change_guardianship",
            "housing.view_premises",
            "housing.add_premises",
            "housing.change_premises",
            "housing.view_premiseslink",
            "housing.view_meter",
            "housing.add_meter",
            "housing.change_meter",
            "housing.view_reading",
            "housing.change_reading",
            "housing.view_correctionrequest",
            "housing.change_correctionrequest",
        ],
    ),
    "doctor": (
        _("Врач"),
        [
            "appointments.view_appointment",
            "appointments.view_slot",
            "appointments.view_schedule",
            "appointments.view_referral",
            "appointments.add_referral",
        ],
    ),
    "registrar": (
        _("Регистратор"),
        [
            "accounts.view_person",
            "clinics.view_organisation",
            "clinics.view_location",
            "clinics.view_practitioner",
            "clinics.view_practitionerrole",
            "appointments.view_schedule",
            "appointments.add_schedule",
            "appointments.change_schedule",
            "appointments.view_absence",
            "appointments.add_absence",
            "appointments.view_slot",
            "appointments.view_appointment",
            "appointments.change_appointment",
            "appointments.view_referral",
            "clinics.view_attachment",
            "clinics.add_attachment",
            "clinics.change_attachment",
        ],
    ),
    # A clinic's head of department or deputy chief physician: with a posting to the clinic
    # (health.SupervisorPost) reviews its doctors' emergency looks at records.
    "health_supervisor": (
        _("Руководитель поликлиники"),
        ["medrecord.review_emergencyaccess", "medrecord.view_emergencyaccess"],
    ),
    # The portal's security staff: the record's security log (strangers' and anonymous
    # looks) in the back office.
    "security_officer": (
        _("Служба безопасности"),
        ["medrecord.view_securitylook", "medrecord.view_emergencyaccess", "core.view_auditevent"],
    ),
    # A laboratory system's account: it posts results (POST /fhir/r4/) and reads nothing.
    "laboratory": (_("Лаборатория"), ["medrecord.add_labreport", "medrecord.add_observation"]),
    "teacher": (_("Учитель"), []),
    "club_staff": (_("Сотрудник кружка или секции"), []),
    "analyst": (
        _("Аналитик"),
        ["core.view_auditevent", "analytics.view_usagedaily", "analytics.view_importrun"],
    ),
    "service_owner": (
        _("Владелец услуги"),
        ["feedback.view_rating", "feedback.change_rating", "feedback.view_serviceownership"],
    ),
}


def sync_roles(**_kwargs) -> None:
    """Create the groups and grant the permissions above (additive and idempotent)."""
    for name, (_title, permission_names) in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        for permission_name in permission_names:
            app_label, codename = permission_name.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                group.permissions.add(permission)
