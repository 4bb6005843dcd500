"""The organisation's back office: its groups, one group's queue of applications with a
decision on each row, places, the weekly schedule, and the register of enrolled children.

Thin views over gorod.clubs.desk_selectors (reads), services (decisions on applications,
places) and groups (the group and its schedule). Only the organisation's staff find
anything here: for everybody else the desk and its groups are the 404 page (NotFound from
the selectors, gorod.core.middleware.NotFoundPageMiddleware). Every form is a plain POST;
a success comes back as a redirect (the browser's reload repeats nothing), a refusal
re-shows the group's page with the message next to the row or field and what was typed.
"""

import csv
import io
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from gorod.clubs import desk_selectors, groups, rules, services
from gorod.clubs.desk_selectors import QueueRow
from gorod.clubs.models import GROUP_CAPACITY_MAX, Application, GroupSession
from gorod.clubs.selectors import staff_application_for, staff_group_for
from gorod.core import clock
from gorod.core.errors import DomainError, NotFound, show_on_form
from gorod.core.problems import status_of

Status = Application.Status

# What each decision's button says.
MOVE_LABELS = {
    Status.REVIEW: gettext_lazy("На рассмотрение"),
    Status.TEST: gettext_lazy("Пригласить на испытание"),
    Status.INVITED: gettext_lazy("Пригласить на зачисление"),
    Status.ENROLLED: gettext_lazy("Зачислить"),
    Status.REJECTED: gettext_lazy("Отказать"),
    Status.CANCELLED: gettext_lazy("Отчислить"),
}
REASON_MAX = Application._meta.get_field("reason").max_length
# A cell of the register that a spreadsheet would read as a formula (a name typed as
# "=HYPERLINK(…)") is written as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# --- forms ---------------------------------------------------------------------------------


class MoveForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(status, status) for status in rules.STAFF_DECISIONS],
        error_messages={
            "required": gettext_lazy("Выберите решение."),
            "invalid_choice": gettext_lazy("Такого решения по заявлению нет."),
        },
    )
    reason = forms.CharField(required=False, max_length=REASON_MAX)


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(
        label=gettext_lazy("Мест в группе"), min_value=1, max_value=GROUP_CAPACITY_MAX
    )


class SessionForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label=gettext_lazy("День недели"), choices=GroupSession.Weekday.choices, coerce=int
    )
    starts_at = forms.TimeField(
        label=pgettext_lazy("a meeting's time", "Начало"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    ends_at = forms.TimeField(
        label=pgettext_lazy("a meeting's time", "Окончание"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )


class GroupForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Название группы"), max_length=groups.NAME_MAX)
    teacher_name = forms.CharField(
        label=gettext_lazy("Педагог"), max_length=groups.TEACHER_MAX, required=False
    )
    venue = forms.TypedChoiceField(label=gettext_lazy("Место занятий"), coerce=int)
    active = forms.BooleanField(
        label=gettext_lazy("Набор идёт"),
        required=False,
        help_text=gettext_lazy("Снимите отметку, чтобы закрыть приём новых заявлений."),
    )

    def __init__(self, *args, venues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["venue"].choices = [(v.pk, f"{v.name}, {v.address}") for v in venues]


class GroupCreateForm(forms.Form):
    programme = forms.TypedChoiceField(label=gettext_lazy("Программа"), coerce=int)
    venue = forms.TypedChoiceField(
        label=gettext_lazy("Место занятий"),
        coerce=int,
        help_text=gettext_lazy("Одно из мест, где идёт программа."),
    )
    name = forms.CharField(label=gettext_lazy("Название группы"), max_length=groups.NAME_MAX)
    teacher_name = forms.CharField(
        label=gettext_lazy("Педагог"), max_length=groups.TEACHER_MAX, required=False
    )
    capacity = forms.IntegerField(
        label=gettext_lazy("Мест в группе"), min_value=1, max_value=GROUP_CAPACITY_MAX
    )

    def __init__(self, *args, choices: desk_selectors.GroupChoices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].choices = [
            (p.pk, f"{p.title} ({p.organisation.short_name})") for p in choices.programmes
        ]
        self.fields["venue"].choices = [(v.pk, f"{v.name}, {v.address}") for v in choices.venues]


# --- the organisation's groups -------------------------------------------------------------


@login_required
@require_safe
def desk(request):
    organisations = desk_selectors.desk_overview(actor=request.user, today=clock.local_date())
    return render(request, "clubs/desk/groups.html", {"organisations": organisations})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def group_new(request):
    choices = desk_selectors.group_choices(actor=request.user)
    form = GroupCreateForm(request.POST or None, choices=choices)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                group = groups.group_create(
                    actor=request.user,
                    programme_id=data["programme"],
                    venue_id=data["venue"],
                    name=data["name"],
                    teacher_name=data["teacher_name"],
                    capacity=data["capacity"],
                )
            except DomainError as error:
                show_on_form(form, error)
                status = status_of(error)
            else:
                messages.success(request, _("Группа «%(name)s» создана.") % {"name": group.name})
                return redirect("clubs:desk_group", group_id=group.pk)
    return render(request, "clubs/desk/group_new.html", {"form": form}, status=status)


# --- one group -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RowView:
    """A queue row as the page draws it: the buttons of its decisions, and the refusal of
    the last one tried with what was typed."""

    row: QueueRow
    buttons: list[tuple[str, str]]
    error: str = ""
    reason: str = ""

    @property
    def application(self) -> Application:
        return self.row.application


@dataclass(frozen=True)
class Refusal:
    application_id: int
    message: str
    reason: str


def _rows(rows: list[QueueRow], refusal: Refusal | None) -> list[RowView]:
    views = []
    for row in rows:
        refused = refusal is not None and refusal.application_id == row.application.pk
        views.append(
            RowView(
                row=row,
                buttons=[(target, MOVE_LABELS[target]) for target in row.moves],
                error=refusal.message if refused else "",
                reason=refusal.reason if refused else "",
            )
        )
    return views


def _group_page(
    request,
    group_id: int,
    *,
    status: int = 200,
    refusal: Refusal | None = None,
    capacity_form: CapacityForm | None = None,
    session_form: SessionForm | None = None,
    group_form: GroupForm | None = None,
):
    today = clock.local_date()
    found = desk_selectors.desk_group(actor=request.user, group_id=group_id, today=today)
    group = found.group
    return render(
        request,
        "clubs/desk/group.html",
        {
            "desk": found,
            "group": group,
            "programme": group.programme,
            "today": today,
            "refusal": refusal,
            "queue": [
                ("deciding", _("Ждут решения"), _rows(found.deciding, refusal)),
                ("invited", _("Приглашены на зачисление"), _rows(found.invited, refusal)),
                ("enrolled", _("Зачислены"), _rows(found.enrolled, refusal)),
                ("waiting", _("Лист ожидания"), _rows(found.waiting, refusal)),
            ],
            "capacity_form": capacity_form
            or CapacityForm(prefix="capacity", initial={"capacity": group.capacity}),
            "session_form": session_form or SessionForm(prefix="session"),
            "group_form": group_form
            or GroupForm(
                prefix="group",
                venues=found.venues,
                initial={
                    "name": group.name,
                    "teacher_name": group.teacher_name,
                    "venue": group.venue_id,
                    "active": group.active,
                },
            ),
        },
        status=status,
    )


def _back_to_group(group_id: int, anchor: str = ""):
    url = reverse("clubs:desk_group", args=[group_id])
    return redirect(f"{url}#{anchor}" if anchor else url)


@login_required
@require_safe
def group_page(request, group_id: int):
    return _group_page(request, group_id)


@login_required
@require_POST
def move(request, application_id: int):
    """A decision on one application (a button of its row), with the reason typed there."""
    found = staff_application_for(request.user, application_id)
    form = MoveForm(request.POST)
    reason = request.POST.get("reason", "")
    if not form.is_valid():
        message = next(iter(form.errors.values()))[0]
        return _group_page(
            request,
            found.group_id,
            status=422,
            refusal=Refusal(application_id, message, reason),
        )
    try:
        application = services.application_move(
            actor=request.user,
            application_id=application_id,
            target=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"],
        )
    except NotFound:
        raise
    except DomainError as error:
        return _group_page(
            request,
            found.group_id,
            status=status_of(error),
            refusal=Refusal(application_id, str(error.message), reason),
        )
    messages.success(
        request,
        _("Заявление № %(number)s: %(status)s.")
        % {"number": application.number, "status": application.get_status_display()},
    )
    return _back_to_group(found.group_id, f"application-{application_id}")


@login_required
@require_POST
def capacity(request, group_id: int):
    form = CapacityForm(request.POST, prefix="capacity")
    status = 422
    if form.is_valid():
        try:
            group = services.group_capacity_set(
                actor=request.user, group_id=group_id, capacity=form.cleaned_data["capacity"]
            )
        except NotFound:
            raise
        except DomainError as error:
            show_on_form(form, error)
            status = status_of(error)
        else:
            messages.success(
                request,
                _("Мест в группе: %(capacity)s, свободно: %(free)s.")
                % {"capacity": group.capacity, "free": group.capacity - group.taken},
            )
            return _back_to_group(group_id, "places")
    return _group_page(request, group_id, status=status, capacity_form=form)


@login_required
@require_POST
def group_edit(request, group_id: int):
    venues = desk_selectors.group_venues(actor=request.user, group_id=group_id)
    form = GroupForm(request.POST, prefix="group", venues=venues)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            groups.group_update(
                actor=request.user,
                group_id=group_id,
                name=data["name"],
                teacher_name=data["teacher_name"],
                venue_id=data["venue"],
                active=data["active"],
            )
        except NotFound:
            raise
        except DomainError as error:
            show_on_form(form, error)
            status = status_of(error)
        else:
            messages.success(request, _("Сведения о группе сохранены."))
            return _back_to_group(group_id, "group-settings")
    return _group_page(request, group_id, status=status, group_form=form)


@login_required
@require_POST
def session_add(request, group_id: int):
    form = SessionForm(request.POST, prefix="session")
    status = 422
    if form.is_valid():
        try:
            groups.group_session_add(actor=request.user, group_id=group_id, **form.cleaned_data)
        except NotFound:
            raise
        except DomainError as error:
            show_on_form(form, error)
            status = status_of(error)
        else:
            messages.success(request, _("Занятие добавлено в расписание."))
            return _back_to_group(group_id, "schedule")
    return _group_page(request, group_id, status=status, session_form=form)


@login_required
@require_POST
def session_remove(request, group_id: int, session_id: int):
    staff_group_for(request.user, group_id)  # another organisation's group: the 404 page
    try:
        groups.group_session_remove(actor=request.user, group_id=group_id, session_id=session_id)
    except DomainError as error:
        # Already removed (a second click): say so on the group's own page.
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Занятие убрано из расписания."))
    return _back_to_group(group_id, "schedule")


# --- the register --------------------------------------------------------------------------


def _text(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def attendance_csv(listing: desk_selectors.AttendanceList) -> bytes:
    """The enrolled children as Excel opens them by a double click in Russia: UTF-8 with a
    byte order mark, `;` between the columns."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            _("Фамилия"),
            _("Имя"),
            _("Отчество"),
            _("Дата рождения"),
            _("Законный представитель"),
            _("Телефон представителя"),
            _("E-mail представителя"),
        ]
    )
    for application in listing.applications:
        child, representative = application.child, application.representative
        login = representative.user
        writer.writerow(
            [
                _text(child.last_name),
                _text(child.first_name),
                _text(child.middle_name),
                f"{child.birth_date:%d.%m.%Y}",
                _text(representative.full_name),
                _text(login.phone or "") if login else "",
                _text(login.email or "") if login else "",
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


@login_required
@require_safe
def attendance(request, group_id: int):
    listing = desk_selectors.attendance_list(actor=request.user, group_id=group_id)
    response = HttpResponse(attendance_csv(listing), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="group-{group_id}-enrolled.csv"'
    return response


urlpatterns = [
    path("desk/", desk, name="desk"),
    path("desk/groups/new/", group_new, name="desk_group_new"),
    path("desk/groups/<int:group_id>/", group_page, name="desk_group"),
    path("desk/groups/<int:group_id>/edit/", group_edit, name="desk_group_edit"),
    path("desk/groups/<int:group_id>/capacity/", capacity, name="desk_capacity"),
    path("desk/groups/<int:group_id>/sessions/", session_add, name="desk_session_add"),
    path(
        "desk/groups/<int:group_id>/sessions/<int:session_id>/remove/",
        session_remove,
        name="desk_session_remove",
    ),
    path("desk/groups/<int:group_id>/enrolled.csv", attendance, name="desk_attendance"),
    path("desk/applications/<int:application_id>/move/", move, name="desk_move"),
]
