"""Account pages: thin views over accounts services and selectors."""

import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gorod.accounts import rules, selectors, services
from gorod.accounts.forms import ApiTokenForm, ChildForm, ProfileForm, SignupForm
from gorod.accounts.models import User
from gorod.accounts.throttling import Refusal
from gorod.core.errors import DomainError, show_on_form
from gorod.core.throttle import client_ip


def login_for_throttling(request, credentials) -> str:
    """The login axes counts failures under: "8 916 …" and "+7916…" are one account."""
    # Axes calls this from its middleware with no credentials (read the form field) and
    # from its backend with credentials keyed by User.USERNAME_FIELD ("email"), whatever
    # the citizen typed: e-mail or phone.
    source = credentials if credentials is not None else request.POST
    raw = source.get("username") or source.get(User.USERNAME_FIELD) or ""
    parsed = rules.normalize_login(raw)
    return parsed[1] if parsed else raw.strip().lower()


def lockout(request, *args, **kwargs):
    """What a citizen sees after too many wrong passwords (axes calls this): which limit
    refused them and when to try again."""
    refusal = getattr(request, "login_refusal", None) or Refusal(
        "login_and_address", math.ceil(settings.AXES_COOLOFF_TIME * 3600)
    )
    context = {
        "reason": refusal.reason,
        "seconds": refusal.seconds,
        "minutes": math.ceil(refusal.seconds / 60),
    }
    response = render(request, "accounts/lockout.html", context, status=429)
    response["Retry-After"] = str(refusal.seconds)
    return response


def signup(request):
    if request.user.is_authenticated:
        return redirect("web:cabinet")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_register(
                login=data["login"],
                password=data["password1"],
                last_name=data["last_name"],
                first_name=data["first_name"],
                middle_name=data["middle_name"],
                birth_date=data["birth_date"],
                address=client_ip(request),
            )
        except DomainError as error:
            show_on_form(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Добро пожаловать! Учётная запись создана."))
            return redirect("web:cabinet")
    return render(request, "accounts/signup.html", {"form": form})


@login_required
def profile(request):
    person = selectors.person_of(request.user)
    initial = {}
    if person is not None:
        initial = {
            name: getattr(person, name) or ""
            for name in (
                "last_name",
                "first_name",
                "middle_name",
                "birth_date",
                "oms_policy",
                "snils",
            )
        }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and person is not None and form.is_valid():
        try:
            services.person_update(actor=request.user, person=person, **form.cleaned_data)
        except DomainError as error:
            show_on_form(form, error)
        else:
            messages.success(request, _("Данные сохранены."))
            return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile.html",
        {
            "person": person,
            "form": form,
            "child_form": ChildForm(),
            "token_form": ApiTokenForm(),
            "children": list(selectors.guardianships_of(person)) if person else [],
            "tokens": list(selectors.api_tokens_of(request.user)),
            "new_token": request.session.pop("new_api_token", None),
        },
    )


@login_required
def child_add(request):
    person = selectors.person_of(request.user)
    form = ChildForm(request.POST or None)
    if request.method == "POST" and person is not None and form.is_valid():
        try:
            services.child_add(actor=request.user, guardian=person, **form.cleaned_data)
        except DomainError as error:
            show_on_form(form, error)
        else:
            messages.success(
                request,
                _("Ребёнок добавлен. Оператор сверит документы при первом визите в МФЦ."),
            )
            return redirect("accounts:profile")
    return render(request, "accounts/child_add.html", {"form": form})


@login_required
@require_POST
def token_create(request):
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        _token, plaintext = services.api_token_create(
            actor=request.user, name=form.cleaned_data["name"]
        )
        # Shown once on the next page and then forgotten: only the hash is stored.
        request.session["new_api_token"] = plaintext
    else:
        messages.error(request, _("Назовите токен, чтобы потом его узнать."))
    return redirect("accounts:profile")


@login_required
@require_POST
def token_revoke(request, token_id: int):
    try:
        services.api_token_revoke(actor=request.user, token_id=token_id)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Токен отозван: программы с ним больше не войдут."))
    return redirect("accounts:profile")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        services.user_password_change(actor=form.user, password=form.cleaned_data["new_password1"])
        # The other sessions of the account end; this one stays signed in.
        update_session_auth_hash(self.request, form.user)
        messages.success(self.request, _("Пароль изменён."))
        return redirect(self.get_success_url())
