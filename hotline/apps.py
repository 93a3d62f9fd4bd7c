from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    name = "hotline"
    verbose_name = _("12329 hotline and SMS")
