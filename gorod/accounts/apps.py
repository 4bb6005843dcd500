from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "gorod.accounts"
    label = "accounts"
    verbose_name = _("Пользователи и жители")

    def ready(self) -> None:
        # Models are importable only once the registry is ready, hence the imports here.
        from django.contrib.auth.signals import user_logged_in

        from gorod.accounts.roles import sync_roles
        from gorod.accounts.services import user_logged_in_record

        # Permissions exist only after migrate has run for every app, hence post_migrate.
        post_migrate.connect(sync_roles, dispatch_uid="gorod.accounts.sync_roles")
        user_logged_in.connect(user_logged_in_record, dispatch_uid="gorod.accounts.login_audit")
