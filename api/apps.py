from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("REST API")

    def ready(self):
        # DRF's throttles keep ``time.time`` as a class attribute taken at import: import them at
        # start-up, so a clock patched later (a frozen test clock) cannot become a bound method.
        from rest_framework import throttling  # noqa: F401

        from api import throttling as token_throttling  # noqa: F401
