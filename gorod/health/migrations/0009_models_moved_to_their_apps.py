"""Health's models now live in clinics, appointments and medrecord: drop them from health's state.

State only: the tables stay (each moved model keeps `db_table = "health_<model>"`), with their
rows, constraints and indexes. The new apps' 0001 migrations have put the models into their
own state first, so no relation in the state points at a model that is gone. A model is
deleted only after every model that refers to it (the record before the booking before the
clinics), which is the order Django's state needs to re-render the relations.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("health", "0008_attachment_application"),
        ("clinics", "0001_initial"),
        ("appointments", "0001_initial"),
        ("medrecord", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="RegistrarPost"),
                migrations.DeleteModel(name="AttachmentApplication"),
                migrations.DeleteModel(name="Attachment"),
                migrations.DeleteModel(name="Absence"),
                migrations.DeleteModel(name="EncounterNote"),
                migrations.DeleteModel(name="Diagnosis"),
                migrations.DeleteModel(name="Condition"),
                migrations.DeleteModel(name="Icd10"),
                migrations.DeleteModel(name="LabReport"),
                migrations.DeleteModel(name="Observation"),
                migrations.DeleteModel(name="StudyReport"),
                migrations.DeleteModel(name="DischargeSummary"),
                migrations.DeleteModel(name="Prescription"),
                migrations.DeleteModel(name="SickLeave"),
                migrations.DeleteModel(name="Immunization"),
                migrations.DeleteModel(name="Certificate"),
                migrations.DeleteModel(name="Entry"),
                migrations.DeleteModel(name="Appointment"),
                migrations.DeleteModel(name="Slot"),
                migrations.DeleteModel(name="Schedule"),
                migrations.DeleteModel(name="Referral"),
                migrations.DeleteModel(name="PractitionerRole"),
                migrations.DeleteModel(name="Location"),
                migrations.DeleteModel(name="Specialty"),
                migrations.DeleteModel(name="DiaryReading"),
                migrations.DeleteModel(name="SupervisorPost"),
                migrations.DeleteModel(name="EmergencyAccess"),
                migrations.DeleteModel(name="Organisation"),
                migrations.DeleteModel(name="Practitioner"),
                migrations.DeleteModel(name="SecurityLook"),
                migrations.DeleteModel(name="AccessLogEntry"),
            ],
        ),
    ]
