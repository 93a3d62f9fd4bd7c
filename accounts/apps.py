from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _attach_role_permissions(sender, **kwargs):
    # post_migrate is sent once per app; only the last app's signal sees every permission.
    from django.apps import apps

    if sender is not list(apps.get_app_configs())[-1]:
        return
    from accounts.roles import ensure_roles

    ensure_roles()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "账户 Accounts"

    def ready(self):
        post_migrate.connect(_attach_role_permissions, dispatch_uid="accounts.ensure_roles")
