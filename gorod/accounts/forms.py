from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from gorod.accounts.models import Delegation, Guardianship

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("E-mail или телефон"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": _("Неверный e-mail, телефон или пароль. Проверьте раскладку и Caps Lock."),
        "inactive": _("Учётная запись отключена. Обратитесь в службу поддержки."),
    }


class PersonFieldsMixin(forms.Form):
    last_name = forms.CharField(label=_("Фамилия"), max_length=100)
    first_name = forms.CharField(label=_("Имя"), max_length=100)
    middle_name = forms.CharField(label=_("Отчество (если есть)"), max_length=100, required=False)
    birth_date = forms.DateField(label=_("Дата рождения"), widget=DATE_INPUT)


class SignupForm(PersonFieldsMixin):
    login = forms.CharField(
        label=_("E-mail или телефон"),
        max_length=254,
        help_text=_("По нему вы будете входить на портал."),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password1 = forms.CharField(
        label=_("Пароль"),
        strip=False,
        help_text=_("Не короче 10 символов, не только цифры и не из списка простых паролей."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Пароль ещё раз"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    field_order = ["login", "last_name", "first_name", "middle_name", "birth_date"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("Пароли не совпадают."))
        return cleaned


class ProfileForm(PersonFieldsMixin):
    oms_policy = forms.CharField(
        label=_("Полис ОМС"),
        max_length=24,
        required=False,
        help_text=_("16 цифр; нужен для записи к врачу."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    snils = forms.CharField(
        label=_("СНИЛС"),
        max_length=20,
        required=False,
        help_text=_("11 цифр, можно с дефисами и пробелом."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class ChildForm(PersonFieldsMixin):
    kind = forms.ChoiceField(
        label=_("Кем вы приходитесь ребёнку"), choices=Guardianship.Kind.choices
    )
    oms_policy = forms.CharField(
        label=_("Полис ОМС ребёнка"),
        max_length=24,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Название токена"),
        max_length=100,
        help_text=_("Например, «Домашний сервер» — чтобы потом узнать и при нужде отозвать."),
    )


class DelegationGrantForm(forms.Form):
    delegate_policy = forms.CharField(
        label=_("Полис ОМС доверенного лица"),
        max_length=24,
        help_text=_("16 цифр, как на полисе."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    delegate_birth_date = forms.DateField(
        label=_("Дата рождения доверенного лица"), widget=DATE_INPUT
    )
    scopes = forms.MultipleChoiceField(
        label=_("Что доверяете"),
        choices=Delegation.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    valid_until = forms.DateField(
        label=_("Действует по (необязательно)"),
        required=False,
        help_text=_("Без даты доверенность действует, пока вы её не отзовёте."),
        widget=DATE_INPUT,
    )


class DelegationRequestForm(forms.Form):
    principal_policy = forms.CharField(
        label=_("Полис ОМС доверителя"),
        max_length=24,
        help_text=_("16 цифр, как на полисе того, за кого вы хотите действовать."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    principal_birth_date = forms.DateField(label=_("Дата рождения доверителя"), widget=DATE_INPUT)
    scopes = forms.MultipleChoiceField(
        label=_("Что просите доверить"),
        choices=Delegation.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
    )
