from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _attach_role_permissions(sender, **kwargs):
    # post_migrate is sent once per app with a models module, in INSTALLED_APPS order; only the
    # last one's signal comes after every app's permissions have been created.
    from django.apps import apps

    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender is not with_models[-1]:
        return
    from accounts.roles import ensure_roles

    ensure_roles()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        post_migrate.connect(_attach_role_permissions, dispatch_uid="accounts.ensure_roles")
