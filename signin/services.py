"""The second step of a login: the only writers of ``LoginChallenge`` and ``TrustedDevice``.

After a correct password, :func:`begin_login` decides whether the login completes at once (the
second factor is off, or an employee or employer operator is on a device they trusted) or must
pass a challenge: a six-digit code texted to the registered mobile (employees and employer
operators on a new device), or the code of the authenticator app (staff, on every login; staff
without a confirmed app enrol one first). :func:`verify_challenge` checks the code; a text
challenge that passes makes the device trusted.

Codes are kept as keyed hashes only. A text is sent after the challenge commits, outside any
transaction; if the gateway fails the page offers to send it again.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import STAFF_ROLES, roles_of
from audit.services import record_event
from core.crypto import mask_mobile
from core.exceptions import DomainError
from integrations.sms import ports
from integrations.sms.registry import sms_gateway
from notifications.services import SMS_SIGNATURE
from notifications.text import known_language
from signin.models import ChallengeState, Factor, LoginChallenge, TrustedDevice

logger = logging.getLogger(__name__)

CODE_LIFETIME = timedelta(minutes=5)
MAX_WRONG_CODES = 5
RESEND_AFTER = timedelta(seconds=60)
MAX_TEXTS_PER_HOUR = 5
# An enrolment (scan, type the first code) takes longer than typing a code.
ENROLMENT_LIFETIME = timedelta(minutes=15)
TOTP_DEVICE_NAME = "FundPortal"
CODE_TEXT = _(
    "Your FundPortal login code is %(code)s, valid for 5 minutes. Never tell it to anyone, "
    "centre staff included."
)


class NoMobileOnFile(DomainError):
    code = "NO_MOBILE_ON_FILE"
    http_status = 403


class TooManyTexts(DomainError):
    code = "TOO_MANY_CODES"
    http_status = 429


class ChallengeOver(DomainError):
    code = "CHALLENGE_OVER"
    http_status = 400


class WrongCode(DomainError):
    code = "WRONG_CODE"
    http_status = 400


@dataclass(frozen=True)
class Verified:
    """A passed challenge: whose login completes, and the device id to trust (text challenges)."""

    user: object
    factor: str
    device_id: str
    otp_device: TOTPDevice | None


def second_factor_on() -> bool:
    return settings.AUTH_SECOND_FACTOR == "on"


def factor_of(user) -> str:
    """Staff use their authenticator app; employees and employer operators a texted code."""
    if user.is_staff or user.is_superuser or roles_of(user) & STAFF_ROLES:
        return Factor.TOTP
    return Factor.SMS


def new_device_id() -> str:
    return secrets.token_urlsafe(32)


def device_hash(device_id: str) -> str:
    return salted_hmac("signin.device", device_id or "", algorithm="sha256").hexdigest()


def _code_hash(public_id: str, code: str) -> str:
    return salted_hmac(f"signin.code:{public_id}", code, algorithm="sha256").hexdigest()


def mobile_of(user) -> str:
    """The registered mobile: an employee's on their person record, an operator's on the login."""
    person = getattr(user, "person", None)
    return (person.mobile if person is not None else user.mobile) or ""


def confirmed_totp_device(user) -> TOTPDevice | None:
    return next(
        (device for device in devices_for_user(user, confirmed=True) if isinstance(device, TOTPDevice)),
        None,
    )


def trusted_device(user, device_id: str) -> TrustedDevice | None:
    if not device_id:
        return None
    return TrustedDevice.objects.filter(
        user=user, device_hash=device_hash(device_id), revoked_at__isnull=True
    ).first()


def begin_login(*, user, device_id: str, channel: str) -> LoginChallenge | None:
    """After a correct password: ``None`` when the login completes now, else the challenge to pass.

    Raises ``NoMobileOnFile`` for a text challenge without a mobile, ``TooManyTexts`` past the
    hourly limit.
    """
    if not second_factor_on():
        return None
    factor = factor_of(user)
    code = ""
    with transaction.atomic(durable=True):
        if factor == Factor.SMS:
            device = trusted_device(user, device_id)
            if device is not None:
                device.last_used_at = timezone.now()
                device.save(update_fields=["last_used_at"])
                return None
            mobile = mobile_of(user)
            if not mobile:
                raise NoMobileOnFile(
                    _(
                        "There is no mobile number on file to send your login code to. Please "
                        "visit a service counter with your ID card, or call the 12329 hotline, to "
                        "register one."
                    )
                )
            _check_hourly_texts(user)
            code = _new_code()
        now = timezone.now()
        public_id = secrets.token_urlsafe(32)
        challenge = LoginChallenge.objects.create(
            public_id=public_id,
            user=user,
            factor=factor,
            channel=channel,
            code_hash=_code_hash(public_id, code) if code else "",
            device_hash=device_hash(device_id) if device_id else "",
            sent_to=mask_mobile(mobile_of(user)) if code else "",
            sends=1 if code else 0,
            last_sent_at=now if code else None,
            created_at=now,
            expires_at=now + (CODE_LIFETIME if factor == Factor.SMS else ENROLMENT_LIFETIME),
        )
    if code:
        _text_code(challenge, code)
    return challenge


def resend_code(*, public_id: str) -> LoginChallenge:
    """A new code for an open text challenge: once a minute at most, five texts an hour."""
    with transaction.atomic(durable=True):
        # Locked: two quick clicks must not both pass the once-a-minute check.
        challenge = _open_challenge(public_id, lock=True)
        if challenge.factor != Factor.SMS:
            raise ChallengeOver(_("This login does not use a text message code."))
        now = timezone.now()
        if challenge.last_sent_at and now - challenge.last_sent_at < RESEND_AFTER:
            wait = int((RESEND_AFTER - (now - challenge.last_sent_at)).total_seconds()) + 1
            raise TooManyTexts(
                _("A code was sent less than a minute ago. You can ask again in %(seconds)s seconds.")
                % {"seconds": wait}
            )
        _check_hourly_texts(challenge.user)
        code = _new_code()
        challenge.code_hash = _code_hash(challenge.public_id, code)
        challenge.sends += 1
        challenge.last_sent_at = now
        challenge.expires_at = now + CODE_LIFETIME
        challenge.save(update_fields=["code_hash", "sends", "last_sent_at", "expires_at"])
    _text_code(challenge, code)
    return challenge


def verify_challenge(*, public_id: str, code: str, device_id: str = "", device_label: str = "") -> Verified:
    """Check ``code``; on success the challenge is passed and, for a text code, the device trusted.

    A wrong code counts; the fifth makes the challenge void. Raises ``WrongCode`` or ``ChallengeOver``.
    """
    code = "".join((code or "").split())
    with transaction.atomic(durable=True):
        # Locked: two guesses at once must each count against the five allowed.
        challenge = _open_challenge(public_id, lock=True)
        now = timezone.now()
        right, otp_device = _check_code(challenge, code)
        if not right:
            challenge.attempts += 1
            void = challenge.attempts >= MAX_WRONG_CODES
            if void:
                challenge.state, challenge.finished_at = ChallengeState.VOID, now
                record_event(
                    actor=challenge.user,
                    action="signin.challenge_void",
                    target=challenge,
                    summary=f"Login challenge #{challenge.pk} void after {challenge.attempts} wrong codes",
                )
            challenge.save(update_fields=["attempts", "state", "finished_at"])
            left = MAX_WRONG_CODES - challenge.attempts
        else:
            challenge.state, challenge.finished_at = ChallengeState.PASSED, now
            challenge.save(update_fields=["state", "finished_at"])
            trusted_id = ""
            if challenge.factor == Factor.SMS:
                trusted_id = device_id or new_device_id()
                _trust(challenge.user, trusted_id, device_label, now)
            record_event(
                actor=challenge.user,
                action="signin.second_factor_passed",
                target=challenge,
                summary=f"Login of user #{challenge.user_id} passed its {challenge.factor} code",
                data={"factor": challenge.factor, "channel": challenge.channel},
            )
    if not right:
        if void:
            raise ChallengeOver(_("Too many wrong codes. Log in again to get a new one."))
        raise WrongCode(_("That code is not right. %(left)s tries left.") % {"left": left}, field="code")
    return Verified(user=challenge.user, factor=challenge.factor, device_id=trusted_id, otp_device=otp_device)


def enrolment_device(*, public_id: str) -> TOTPDevice:
    """The unconfirmed authenticator of a staff member whose login waits for their first code."""
    with transaction.atomic(durable=True):
        challenge = _open_challenge(public_id, lock=False)
        if challenge.factor != Factor.TOTP:
            raise ChallengeOver(_("This login does not use an authenticator app."))
        device = TOTPDevice.objects.filter(user=challenge.user, confirmed=False).order_by("pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user=challenge.user, name=TOTP_DEVICE_NAME, confirmed=False)
        return device


def revoke_device(*, user, device_pk: int) -> TrustedDevice:
    """Stop trusting one of ``user``'s devices: its next login asks for a text code again."""
    with transaction.atomic(durable=True):
        device = TrustedDevice.objects.select_for_update().filter(user=user, pk=device_pk).first()
        if device is None or device.revoked_at is not None:
            raise ChallengeOver(_("That device is not trusted."))
        device.revoked_at = timezone.now()
        device.save(update_fields=["revoked_at"])
        record_event(
            actor=user,
            action="signin.device_revoked",
            target=device,
            summary=f"Trusted device #{device.pk} of user #{user.pk} revoked",
        )
        return device


def lockout_key(user) -> str:
    """The name django-axes counts this user's failures under (as ``accounts.backends.axes_username``)."""
    person = getattr(user, "person", None)
    return f"id:{person.id_number_index}" if person is not None else user.username


# --- helpers ----------------------------------------------------------------------------------


def _new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def _open_challenge(public_id: str, *, lock: bool) -> LoginChallenge:
    rows = LoginChallenge.objects.select_related("user")
    if lock:
        rows = rows.select_for_update(of=("self",))
    challenge = rows.filter(public_id=public_id or "").first()
    if challenge is None or challenge.state != ChallengeState.OPEN:
        raise ChallengeOver(_("This login is over. Log in again."))
    if challenge.expires_at <= timezone.now():
        raise ChallengeOver(_("The code has expired. Log in again to get a new one."))
    return challenge


def _check_code(challenge: LoginChallenge, code: str) -> tuple[bool, TOTPDevice | None]:
    if not code.isdigit() or len(code) != 6:
        return False, None
    if challenge.factor == Factor.SMS:
        return hmac.compare_digest(challenge.code_hash, _code_hash(challenge.public_id, code)), None
    device = confirmed_totp_device(challenge.user)
    if device is None:
        # Enrolment: the first code from the newly scanned app confirms it.
        device = TOTPDevice.objects.filter(user=challenge.user, confirmed=False).order_by("pk").first()
        if device is None or not device.verify_token(code):
            return False, None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record_event(
            actor=challenge.user,
            action="signin.totp_enrolled",
            target=challenge.user,
            summary=f"User #{challenge.user_id} enrolled an authenticator app",
        )
        return True, device
    return bool(device.verify_token(code)), device


def _check_hourly_texts(user) -> None:
    since = timezone.now() - timedelta(hours=1)
    sent = sum(
        LoginChallenge.objects.filter(user=user, factor=Factor.SMS, last_sent_at__gte=since).values_list(
            "sends", flat=True
        )
    )
    if sent >= MAX_TEXTS_PER_HOUR:
        raise TooManyTexts(
            _(
                "Five login codes have been sent to your mobile in the last hour. Please wait an "
                "hour, or visit a service counter."
            )
        )


def _trust(user, device_id: str, label: str, now) -> None:
    hashed = device_hash(device_id)
    device = TrustedDevice.objects.filter(user=user, device_hash=hashed, revoked_at__isnull=True).first()
    if device is None:
        device = TrustedDevice.objects.create(
            user=user, device_hash=hashed, label=(label or "")[:100] or "?", created_at=now, last_used_at=now
        )
        record_event(
            actor=user,
            action="signin.device_trusted",
            target=device,
            summary=f"Device #{device.pk} trusted for user #{user.pk}",
            data={"label": device.label},
        )
    else:
        device.last_used_at = now
        device.save(update_fields=["last_used_at"])


def code_reference(challenge: LoginChallenge) -> str:
    """The gateway reference of the challenge's latest text (idempotent per code sent)."""
    return f"login-{challenge.pk}-{challenge.sends}"


def _text_code(challenge: LoginChallenge, code: str) -> None:
    """Send the code now, outside any transaction; a failure is logged and the page offers a resend."""
    user = challenge.user
    person = getattr(user, "person", None)
    language = known_language(person.language if person is not None else translation.get_language())
    with translation.override(language):
        text = f"{SMS_SIGNATURE}{CODE_TEXT % {'code': code}}"
    try:
        sms_gateway().send(
            mobile_of(user), text, reference=code_reference(challenge), timeout=settings.SMS_TIMEOUT_S
        )
    except (ports.SmsUnavailable, ports.SmsRejected) as error:
        logger.warning("login code for challenge #%s not sent: %s", challenge.pk, error)
