"""signin pages, included by web/urls_security.py."""

from django.urls import path

from web import signin

urlpatterns: list = [
    path("login/verify/", signin.verify, name="login-verify"),
    path("login/authenticator/", signin.authenticator, name="login-authenticator"),
    path("hall/security/devices/<int:pk>/revoke/", signin.revoke, name="hall-device-revoke"),
    path("account/password/", signin.PasswordChangeView.as_view(), name="password-change"),
    path("account/password/done/", signin.PasswordChangeDoneView.as_view(), name="password-change-done"),
]
