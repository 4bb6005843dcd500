from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "gorod.accounts"
    label = "accounts"
    verbose_name = _("Пользователи и жители")

    def ready(self) -> None:
        # Models are importable only once the registry is ready, hence the imports here.
        from django.contrib.auth.signals import user_logged_in

        from gorod.accounts import auth_cache
        from gorod.accounts.models import ApiToken, Person, User
        from gorod.accounts.roles import sync_roles
        from gorod.accounts.services import user_logged_in_record

        # Permissions exist only after migrate has run for every app, hence post_migrate.
        post_migrate.connect(sync_roles, dispatch_uid="gorod.accounts.sync_roles")
        user_logged_in.connect(user_logged_in_record, dispatch_uid="gorod.accounts.login_audit")
        # A change that can refuse a remembered caller publishes a new revocation version.
        for model, saved, deleted in (
            (User, auth_cache.user_saved, auth_cache.deleted),
            (Person, auth_cache.person_changed, auth_cache.person_changed),
            (ApiToken, auth_cache.token_saved, auth_cache.deleted),
        ):
            uid = f"gorod.accounts.revoke.{model.__name__}"
            post_save.connect(saved, sender=model, dispatch_uid=f"{uid}.saved")
            post_delete.connect(deleted, sender=model, dispatch_uid=f"{uid}.deleted")
