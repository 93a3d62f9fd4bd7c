from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionConfig(AppConfig):
    """电子稽核: audit rules over the audit trail and the books, their alerts and the daily report."""

    name = "inspection"
    verbose_name = _("Electronic audit")

    def ready(self):
        from audit.listeners import listen
        from inspection.tasks import announce

        # Every committed transaction that wrote audit events queues the real-time pass.
        listen(announce)
