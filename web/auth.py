"""Log in and out: one page for employees (ID number) and for operators and staff (user name).

A correct password completes the login only when no second factor is due (signin.services.
begin_login); otherwise the browser goes on to the code page (web.signin).
"""

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.models import Language
from core.exceptions import DomainError
from signin.services import begin_login
from web.signin import device_id_of, hold_login


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

    def form_valid(self, form):
        user = form.get_user()
        language = _stored_language(user)
        if _chose_a_language(self.request):
            language = None
        try:
            challenge = begin_login(
                user=user,
                device_id=device_id_of(self.request),
                channel="web",
            )
        except DomainError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        if challenge is not None:
            # The password was right; the login completes on the code page (web.signin).
            return hold_login(
                self.request,
                challenge=challenge,
                user=user,
                next_url=self.get_success_url(),
                language=language,
            )
        response = super().form_valid(form)
        if language:
            set_language_cookie(response, language)
        return response


def _stored_language(user):
    """The language an employee chose for their messages, which their pages follow on a new device."""
    person = getattr(user, "person", None)
    if person is None or person.language not in Language.values:
        return None
    return person.language


def _chose_a_language(request):
    """Whether this browser already chose a page language (the switch's cookie) or the login asked for one."""
    if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
        return True
    return request.POST.get("language") in Language.values or request.GET.get("language") in Language.values


def set_language_cookie(response, language):
    # As django.views.i18n.set_language sets it, so that the header's switch can change it back.
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class LogoutView(auth_views.LogoutView):
    pass
