from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WithdrawalsConfig(AppConfig):
    name = "withdrawals"
    verbose_name = _("Withdrawals")

    def ready(self):
        from withdrawals import hooks

        hooks.register()
