"""The outbox: every message to a citizen is a row first, delivered by a channel later.

Real delivery (e-mail, SMS, push) reads unsent rows and marks them sent; until a channel
is configured the citizen reads them in the cabinet. A message carries a key unique per
reason ("housing.window_open:2026-11:42"), so a reminder task that runs twice, or on two
nodes, writes it once.

A message is written in every language the portal speaks when it is made (its words
depend on data of that moment: a doctor's name, a visit's time), and shown in the
reader's language when read.

A citizen may take an optional topic (topics.py) once a day instead: its messages wait as
DigestItem rows, never in the outbox, until the day's digest (one Message) lists them. So
the outbox holds only what is to be delivered as it stands.
"""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from gorod.accounts.models import Person


class Written(models.Model):
    """A message's words in the portal's languages, and where the reader acts on it."""

    topic = models.CharField(_("тема"), max_length=64)
    key = models.CharField(_("ключ"), max_length=128, unique=True)
    subject = models.CharField(_("заголовок"), max_length=200)
    body = models.TextField(_("текст"))
    subject_en = models.CharField(_("заголовок по-английски"), max_length=200, blank=True)
    body_en = models.TextField(_("текст по-английски"), blank=True)
    link = models.CharField(_("ссылка"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.subject

    @property
    def display_subject(self) -> str:
        return self.subject_en if get_language() == "en" and self.subject_en else self.subject

    @property
    def display_body(self) -> str:
        return self.body_en if get_language() == "en" and self.body_en else self.body


class Message(Written):
    class Channel(models.TextChoices):
        CABINET = "cabinet", _("личный кабинет")
        EMAIL = "email", _("электронная почта")
        SMS = "sms", _("SMS")
        PUSH = "push", _("push-уведомление")

    person = models.ForeignKey(
        Person, verbose_name=_("кому"), on_delete=models.CASCADE, related_name="messages"
    )
    channel = models.CharField(
        _("канал"), max_length=8, choices=Channel.choices, default=Channel.CABINET
    )
    sent_at = models.DateTimeField(_("отправлено"), null=True, blank=True)
    read_at = models.DateTimeField(_("прочитано"), null=True, blank=True)

    class Meta:
        verbose_name = _("уведомление")
        verbose_name_plural = _("уведомления")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["person", "-created_at"], name="message_person_recent"),
            models.Index(
                fields=["channel", "created_at"],
                condition=models.Q(sent_at__isnull=True),
                name="message_unsent",
            ),
        ]


class DigestItem(Written):
    """A message held for its reader's daily digest; `digested_at` once a digest listed it.

    Its key is a message's key: a reason is told once, at once or in a digest."""

    person = models.ForeignKey(
        Person, verbose_name=_("кому"), on_delete=models.CASCADE, related_name="digest_items"
    )
    digested_at = models.DateTimeField(_("вошло в сводку"), null=True, blank=True)

    class Meta:
        verbose_name = _("уведомление для сводки")
        verbose_name_plural = _("уведомления для сводки")
        indexes = [
            # The digest task reads only what waits.
            models.Index(
                fields=["person", "created_at"],
                condition=models.Q(digested_at__isnull=True),
                name="digest_item_waiting",
            ),
        ]


class TopicPreference(models.Model):
    """How a person takes an optional topic; without a row, at once."""

    class Delivery(models.TextChoices):
        AT_ONCE = "at_once", _("сразу")
        DIGEST = "digest", _("раз в день, одной сводкой")
        OFF = "off", _("не присылать")

    person = models.ForeignKey(
        Person,
        verbose_name=_("житель"),
        on_delete=models.CASCADE,
        related_name="topic_preferences",
    )
    topic = models.CharField(_("тема"), max_length=64)
    delivery = models.CharField(_("как присылать"), max_length=8, choices=Delivery.choices)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    class Meta:
        verbose_name = _("настройка уведомлений")
        verbose_name_plural = _("настройки уведомлений")
        constraints = [
            models.UniqueConstraint(fields=["person", "topic"], name="topic_preference_once"),
            models.CheckConstraint(
                condition=models.Q(delivery__in=["at_once", "digest", "off"]),
                name="topic_preference_delivery_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.topic}: {self.delivery}"
