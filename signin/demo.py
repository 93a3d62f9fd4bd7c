"""The demo's staff authenticators: one fixed, published secret, so someone trying the demo portal
can add it to an authenticator app (var/demo-logins.json gives it). Never used outside the demo."""

import base64

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.services import record_event
from signin.services import TOTP_DEVICE_NAME

# 20 bytes, hex as django-otp stores it; base32 in DEMO_TOTP_SECRET.
DEMO_TOTP_KEY = "66756e64706f7274616c2d64656d6f2d746f7470"
DEMO_TOTP_SECRET = base64.b32encode(bytes.fromhex(DEMO_TOTP_KEY)).decode("ascii")


def is_demo_device(device) -> bool:
    return getattr(device, "key", None) == DEMO_TOTP_KEY


def give_demo_authenticator(*, user) -> str:
    """A confirmed authenticator with the demo secret for ``user``; returns the secret (base32)."""
    with transaction.atomic(durable=True):
        TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, key=DEMO_TOTP_KEY, confirmed=True)
        record_event(
            actor=None,
            actor_label="system:seed_demo",
            action="signin.totp_enrolled",
            target=user,
            summary=f"Demo staff user #{user.pk} given the demo authenticator",
        )
    return DEMO_TOTP_SECRET
