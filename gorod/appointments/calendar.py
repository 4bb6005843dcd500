"""An appointment as an iCalendar file (RFC 5545) for the citizen's own calendar.

The event keeps one UID for the life of the appointment, so downloading the file again
after a cancellation updates the entry instead of adding a second one. Times carry
TZID=Europe/Moscow with the zone's VTIMEZONE inside the file: a phone set to another
zone still shows the visit at the clinic's hour.
"""

from datetime import date, timedelta

from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event, Timezone

from gorod.appointments.models import Appointment
from gorod.core.clock import city_zone

PRODID = "-//gorod//Запись к врачу//RU"
# The VTIMEZONE describes the zone around the visit only: Moscow has had one offset since
# 2014, and a calendar needs the rules in force at the event, not since 1970.
ZONE_MARGIN = timedelta(days=366)
ALARM_BEFORE = timedelta(hours=2)


def uid_of(appointment: Appointment) -> str:
    return f"appointment-{appointment.pk}@gorod"


def ics_filename(appointment: Appointment) -> str:
    """`appointment-42-20261126-1000.ics`: ASCII, sortable, the local start in the name."""
    start = appointment.start.astimezone(city_zone())
    return f"appointment-{appointment.pk}-{start:%Y%m%d-%H%M}.ics"


def _summary(appointment: Appointment) -> str:
    doctor = appointment.slot.role.practitioner.initials_name
    return _("Приём: %(specialty)s — %(doctor)s") % {
        "specialty": appointment.specialty.name,
        "doctor": doctor,
    }


def _location(appointment: Appointment) -> str:
    role = appointment.slot.role
    parts = [appointment.organisation.name, role.location.address]
    if role.location.name != appointment.organisation.name:
        parts.insert(1, role.location.name)
    if role.room:
        parts.append(_("кабинет %(room)s") % {"room": role.room})
    return ", ".join(parts)


def _description(appointment: Appointment) -> str:
    lines = [
        _("Пациент: %(name)s") % {"name": appointment.person.full_name},
        _("Врач: %(doctor)s, %(specialty)s")
        % {
            "doctor": appointment.slot.role.practitioner.full_name,
            "specialty": appointment.specialty.name,
        },
    ]
    bring = [_("полис ОМС"), _("паспорт или свидетельство о рождении")]
    if appointment.referral_id is not None:
        bring.append(_("направление № %(number)s") % {"number": appointment.referral.number})
    lines.append(_("Возьмите с собой: %(items)s.") % {"items": ", ".join(bring)})
    if phone := appointment.organisation.phone:
        lines.append(_("Телефон поликлиники: %(phone)s") % {"phone": phone})
    if appointment.status == Appointment.Status.CANCELLED:
        lines.insert(0, _("Запись отменена."))
    return "\n".join(lines)


def _event(appointment: Appointment) -> Event:
    zone = city_zone()
    cancelled = appointment.status == Appointment.Status.CANCELLED
    event = Event()
    event.add("uid", uid_of(appointment))
    # The moment the appointment last changed: the same file for the same state.
    event.add("dtstamp", appointment.updated_at)
    event.add("created", appointment.created_at)
    event.add("last-modified", appointment.updated_at)
    # A cancellation supersedes the booking in calendars that already hold the event.
    event.add("sequence", 1 if cancelled else 0)
    event.add("dtstart", appointment.start.astimezone(zone))
    event.add("dtend", appointment.end.astimezone(zone))
    event.add("summary", _summary(appointment))
    event.add("location", _location(appointment))
    event.add("description", _description(appointment))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    if not cancelled:
        event.add_component(
            Alarm.new_display(
                description=_("Через 2 часа приём у врача: %(summary)s")
                % {"summary": _summary(appointment)},
                trigger=-ALARM_BEFORE,
            )
        )
    return event


def appointment_ics(appointment: Appointment) -> bytes:
    """The appointment as a one-event calendar, UTF-8.

    Reads the appointment's specialty, organisation, person, referral and
    slot.role.practitioner/location: pass one loaded with those (selectors.appointment_for).
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    day: date = appointment.start.astimezone(city_zone()).date()
    calendar.add_component(
        Timezone.from_tzid(
            city_zone().key, first_date=day - ZONE_MARGIN, last_date=day + ZONE_MARGIN
        )
    )
    calendar.add_component(_event(appointment))
    return calendar.to_ical()
