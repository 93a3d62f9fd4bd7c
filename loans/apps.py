from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoansConfig(AppConfig):
    name = "loans"
    verbose_name = _("Housing loans")

    def ready(self):
        from loans import hooks

        hooks.register()
