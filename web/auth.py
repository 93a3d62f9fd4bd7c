"""Log in and out: one page for employees (ID number) and for operators and staff (user name)."""

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class PortalLoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("ID number or user name"),
        max_length=64,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}
        ),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "That ID number or user name and password do not match. After 5 failed attempts "
            "the login is locked for 30 minutes."
        ),
    }


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = PortalLoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass
