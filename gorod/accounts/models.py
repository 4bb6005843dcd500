from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gorod.accounts import rules


class UserManager(BaseUserManager):
    def create_user(self, email=None, password=None, *, phone=None, **extra):
        email = rules.normalize_email(email) if email else None
        phone = rules.normalize_phone(phone) if phone else None
        if not email and not phone:
            raise ValueError("A user needs an e-mail or a phone number")
        user = self.model(email=email, phone=phone, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email=None, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        login = rules.normalize_login(username or "")
        if login is None:
            raise self.model.DoesNotExist
        field, value = login
        return self.get(**{field: value})


class User(AbstractBaseUser, PermissionsMixin):
    """A login: by e-mail or by phone. The citizen behind it is `Person`."""

    email = models.EmailField(_("e-mail"), null=True, blank=True, unique=True)
    phone = models.CharField(
        _("телефон"),
        max_length=16,
        null=True,
        blank=True,
        unique=True,
        help_text=_("В формате +7XXXXXXXXXX."),
    )
    is_active = models.BooleanField(_("активен"), default=True)
    is_staff = models.BooleanField(
        _("сотрудник"),
        default=False,
        help_text=_("Может входить в рабочее место сотрудника (админку)."),
    )
    date_joined = models.DateTimeField(_("дата регистрации"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("пользователь")
        verbose_name_plural = _("пользователи")
        constraints = [
            models.CheckConstraint(
                condition=Q(email__isnull=False) | Q(phone__isnull=False),
                name="user_has_email_or_phone",
            ),
            models.CheckConstraint(
                condition=Q(phone__isnull=True) | Q(phone__regex=r"^\+7[0-9]{10}$"),
                name="user_phone_e164",
            ),
            models.CheckConstraint(
                condition=Q(email__isnull=True) | Q(email=Lower("email")),
                name="user_email_lowercase",
            ),
        ]

    def __str__(self) -> str:
        return self.email or self.phone or f"#{self.pk}"

    @property
    def login(self) -> str:
        return self.email or self.phone or ""


class Sex(models.TextChoices):
    FEMALE = "female", _("женский")
    MALE = "male", _("мужской")


class Person(models.Model):
    """A citizen as the city knows them; children exist here without a login."""

    user = models.OneToOneField(
        User,
        verbose_name=_("учётная запись"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    last_name = models.CharField(_("фамилия"), max_length=100)
    first_name = models.CharField(_("имя"), max_length=100)
    middle_name = models.CharField(_("отчество"), max_length=100, blank=True)
    birth_date = models.DateField(_("дата рождения"))
    # As the OMS policy records it; empty when not known (then no specialty is refused by sex).
    sex = models.CharField(_("пол"), max_length=6, choices=Sex.choices, blank=True)
    oms_policy = models.CharField(_("полис ОМС"), max_length=16, null=True, blank=True, unique=True)
    snils = models.CharField(_("СНИЛС"), max_length=11, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменён"), auto_now=True)

    class Meta:
        verbose_name = _("житель")
        verbose_name_plural = _("жители")
        ordering = ["last_name", "first_name", "middle_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(oms_policy__isnull=True) | Q(oms_policy__regex=r"^[0-9]{16}$"),
                name="person_oms_policy_16_digits",
            ),
            models.CheckConstraint(
                condition=Q(snils__isnull=True) | Q(snils__regex=r"^[0-9]{11}$"),
                name="person_snils_11_digits",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(
            part for part in (self.last_name, self.first_name, self.middle_name) if part
        )

    @property
    def short_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Guardianship(models.Model):
    """A parent or other legal representative of a child."""

    class Kind(models.TextChoices):
        PARENT = "parent", _("родитель")
        GUARDIAN = "guardian", _("опекун или попечитель")

    guardian = models.ForeignKey(
        Person, verbose_name=_("представитель"), on_delete=models.CASCADE, related_name="wards"
    )
    child = models.ForeignKey(
        Person, verbose_name=_("ребёнок"), on_delete=models.CASCADE, related_name="guardians"
    )
    kind = models.CharField(_("основание"), max_length=16, choices=Kind.choices)
    verified_at = models.DateTimeField(
        _("подтверждено"),
        null=True,
        blank=True,
        help_text=_("Когда оператор сверил документы (свидетельство о рождении, решение опеки)."),
    )
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)

    class Meta:
        verbose_name = _("законное представительство")
        verbose_name_plural = _("законные представительства")
        constraints = [
            models.UniqueConstraint(fields=["guardian", "child"], name="guardianship_unique_pair"),
            models.CheckConstraint(
                condition=~Q(guardian=models.F("child")), name="guardianship_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guardian} → {self.child}"


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 hash of the secret is stored.

    The token is shown once: `gorod_<prefix>_<secret>`. The prefix finds the row, the hash
    proves the secret; tokens carry 256 bits of entropy, so a fast hash is enough.
    """

    user = models.ForeignKey(
        User, verbose_name=_("владелец"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("название"), max_length=100)
    prefix = models.CharField(_("префикс"), max_length=12, unique=True)
    secret_hash = models.CharField(_("хеш"), max_length=64)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("последнее использование"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("отозван"), null=True, blank=True)

    class Meta:
        verbose_name = _("API-токен")
        verbose_name_plural = _("API-токены")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Delegation(models.Model):
    """An adult's permission for another adult to act for them, in named scopes.

    The principal grants it, or confirms the delegate's request; it works from
    confirmation until it is revoked or expires. The appointments module reads the
    "appointments" scope; the medical record reads "record".
    """

    class Scope(models.TextChoices):
        APPOINTMENTS = "appointments", _("запись к врачу")
        RECORD = "record", _("просмотр медицинской карты")

    principal = models.ForeignKey(
        Person, verbose_name=_("доверитель"), on_delete=models.CASCADE, related_name="delegations"
    )
    delegate = models.ForeignKey(
        Person,
        verbose_name=_("доверенное лицо"),
        on_delete=models.CASCADE,
        related_name="delegated_to_me",
    )
    scopes = models.JSONField(_("права"), default=list)
    requested_at = models.DateTimeField(_("запрошено"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("подтверждено доверителем"), null=True, blank=True)
    valid_until = models.DateField(_("действует по"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("отозвано"), null=True, blank=True)

    class Meta:
        verbose_name = _("доверенность")
        verbose_name_plural = _("доверенности")
        ordering = ["-requested_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(principal=models.F("delegate")), name="delegation_not_self"
            ),
            # One live delegation per pair: a change of scopes is a new one after revoking.
            models.UniqueConstraint(
                fields=["principal", "delegate"],
                condition=Q(revoked_at__isnull=True),
                name="delegation_one_live_per_pair",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True)
                | Q(confirmed_at__isnull=True)
                | Q(revoked_at__gte=models.F("confirmed_at")),
                name="delegation_revoked_after_confirmed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.principal} → {self.delegate}"
