"""The login's second step: the texted code on a new device, the staff authenticator code (and its
enrolment), trusted devices in the hall, and the password change page.

A login whose password was right but whose second factor is due keeps only the challenge's id in
the session; the user is logged in (``django.contrib.auth.login``) once the code passes.
"""

from __future__ import annotations

import base64

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.oath import TOTP

from core.exceptions import DomainError
from integrations.sms.registry import sms_gateway
from integrations.sms.sandbox import SandboxSmsGateway
from signin.demo import is_demo_device
from signin.lockout import locked_out, record_failed_code
from signin.models import Factor
from signin.selectors import challenge_by_id, sandbox_code_text
from signin.services import (
    ChallengeOver,
    WrongCode,
    confirmed_totp_device,
    enrolment_device,
    resend_code,
    revoke_device,
    verify_challenge,
)
from web.access import employee_only

PENDING = "signin.challenge"
PENDING_BACKEND = "signin.backend"
PENDING_NEXT = "signin.next"
PENDING_LANGUAGE = "signin.language"
_DEVICE_SALT = "signin.device"


# --- the device cookie ------------------------------------------------------------------------


def device_id_of(request) -> str:
    """The id this browser holds (signed, so a forged cookie is no id at all)."""
    return request.get_signed_cookie(settings.SIGNIN_DEVICE_COOKIE, default="", salt=_DEVICE_SALT) or ""


def device_label_of(request) -> str:
    return (request.headers.get("user-agent") or _("Unknown browser"))[:100]


def set_device_cookie(response, device_id: str) -> None:
    response.set_signed_cookie(
        settings.SIGNIN_DEVICE_COOKIE,
        device_id,
        salt=_DEVICE_SALT,
        max_age=settings.SIGNIN_DEVICE_COOKIE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


# --- the pending login ------------------------------------------------------------------------


def hold_login(request, *, challenge, user, next_url: str, language: str | None):
    """Keep the half-done login in the session and send the browser to its code page."""
    request.session[PENDING] = challenge.public_id
    request.session[PENDING_BACKEND] = user.backend
    request.session[PENDING_NEXT] = next_url
    request.session[PENDING_LANGUAGE] = language or ""
    if challenge.factor == Factor.SMS:
        return redirect("web:login-verify")
    return redirect("web:login-authenticator")


def _pending_challenge(request):
    return challenge_by_id(request.session.get(PENDING))


def _drop_pending(request) -> None:
    for key in (PENDING, PENDING_BACKEND, PENDING_NEXT, PENDING_LANGUAGE):
        request.session.pop(key, None)


def _complete(request, verified):
    from web.auth import set_language_cookie

    backend = request.session.get(PENDING_BACKEND) or "django.contrib.auth.backends.ModelBackend"
    next_url = request.session.get(PENDING_NEXT) or reverse(settings.LOGIN_REDIRECT_URL)
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse(settings.LOGIN_REDIRECT_URL)
    language = request.session.get(PENDING_LANGUAGE)
    _drop_pending(request)
    auth_login(request, verified.user, backend=backend)
    if verified.otp_device is not None:
        otp_login(request, verified.otp_device)
    response = redirect(next_url)
    if verified.device_id:
        set_device_cookie(response, verified.device_id)
    if language:
        set_language_cookie(response, language)
    return response


def _start_again(request, message: str):
    _drop_pending(request)
    flash.error(request, message)
    return redirect("web:login")


def _check_code(request, challenge):
    """Check the posted code; returns the response (the next page) or ``None`` to show the form again."""
    if locked_out(request, challenge.user):
        _drop_pending(request)
        return render(request, settings.AXES_LOCKOUT_TEMPLATE, status=429)
    try:
        verified = verify_challenge(
            public_id=challenge.public_id,
            code=request.POST.get("code", ""),
            device_id=device_id_of(request),
            device_label=device_label_of(request),
        )
    except WrongCode as error:
        record_failed_code(request, challenge.user)
        flash.error(request, error.message)
        return None
    except ChallengeOver as error:
        record_failed_code(request, challenge.user)
        return _start_again(request, error.message)
    return _complete(request, verified)


# --- the pages --------------------------------------------------------------------------------


def verify(request):
    """A texted code, for an employee or an employer operator on a device not yet trusted."""
    challenge = _pending_challenge(request)
    if challenge is None or challenge.factor != Factor.SMS:
        return redirect("web:login")
    if request.method == "POST":
        if request.POST.get("action") == "resend":
            try:
                resend_code(public_id=challenge.public_id)
                flash.success(request, _("A new code is on its way."))
            except DomainError as error:
                flash.error(request, error.message)
            return redirect("web:login-verify")
        response = _check_code(request, challenge)
        if response is not None:
            return response
        return redirect("web:login-verify")
    return render(
        request,
        "web/signin/verify.html",
        {"challenge": challenge, "sandbox_text": sandbox_code_text(challenge)},
    )


def authenticator(request):
    """Staff: the authenticator app's code on every login; enrolment first when there is no app yet."""
    challenge = _pending_challenge(request)
    if challenge is None or challenge.factor != Factor.TOTP:
        return redirect("web:login")
    if request.method == "POST":
        response = _check_code(request, challenge)
        if response is not None:
            return response
        return redirect("web:login-authenticator")
    device = confirmed_totp_device(challenge.user)
    if device is not None:
        return render(request, "web/signin/authenticator.html", {"demo_code": _demo_code(device)})
    try:
        device = enrolment_device(public_id=challenge.public_id)
    except ChallengeOver as error:
        return _start_again(request, error.message)
    return render(
        request,
        "web/signin/enrol.html",
        {"qr_code": _qr_data_uri(device.config_url), "secret": _secret_of(device)},
    )


@employee_only
@require_POST
def revoke(request, pk: int):
    """The hall's security page: stop trusting one of the employee's devices."""
    try:
        revoke_device(user=request.user, device_pk=pk)
        flash.success(request, _("That device will be asked for a text message code at its next login."))
    except DomainError as error:
        flash.error(request, error.message)
    return redirect("web:hall-security")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "web/signin/password_change.html"
    success_url = reverse_lazy("web:password-change-done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "web/signin/password_change_done.html"


# --- helpers ----------------------------------------------------------------------------------


def _qr_data_uri(text: str) -> str:
    """The enrolment link as an SVG QR code, inlined as an image (no script, no CDN)."""
    svg = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10).to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def _secret_of(device) -> str:
    """The secret as authenticator apps ask for it when typed in: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _demo_code(device) -> str | None:
    """For the demo's staff only, and only with DEBUG on and the sandbox SMS gateway: the current
    code, so someone trying the portal can get in. Production has neither, so never shows it."""
    if not (settings.DEBUG and isinstance(sms_gateway(), SandboxSmsGateway) and is_demo_device(device)):
        return None
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if device.last_t >= totp.t():
        # This step's code was just used (another demo login): a code is good once, so show the
        # next step's, which the device's tolerance of one step accepts.
        totp.time += device.step
    return f"{totp.token():0{device.digits}d}"
