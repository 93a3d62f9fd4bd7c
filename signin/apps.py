from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SigninConfig(AppConfig):
    """Signing in: the second factor on new devices (SMS code) and for staff (TOTP)."""

    name = "signin"
    verbose_name = _("Sign-in")
