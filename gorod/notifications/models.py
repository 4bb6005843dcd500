"""The outbox: every message to a citizen is a row first, delivered by a channel later.

Real delivery (e-mail, SMS, push) reads unsent rows and marks them sent; until a channel
is configured the citizen reads them in the cabinet. A message carries a key unique per
reason ("housing.window_open:2026-11:42"), so a reminder task that runs twice, or on two
nodes, writes it once.

A message is written in every language the portal speaks when it is made (its words
depend on data of that moment: a doctor's name, a visit's time), and shown in the
reader's language when read.
"""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from gorod.accounts.models import Person


class Message(models.Model):
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
    topic = models.CharField(_("тема"), max_length=64)
    key = models.CharField(_("ключ"), max_length=128, unique=True)
    subject = models.CharField(_("заголовок"), max_length=200)
    body = models.TextField(_("текст"))
    subject_en = models.CharField(_("заголовок по-английски"), max_length=200, blank=True)
    body_en = models.TextField(_("текст по-английски"), blank=True)
    link = models.CharField(_("ссылка"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
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

    def __str__(self) -> str:
        return self.subject

    @property
    def display_subject(self) -> str:
        return self.subject_en if get_language() == "en" and self.subject_en else self.subject

    @property
    def display_body(self) -> str:
        return self.body_en if get_language() == "en" and self.body_en else self.body
