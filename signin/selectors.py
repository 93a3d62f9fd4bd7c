"""Reads for the sign-in pages: a challenge by its id, a user's trusted devices, the sandbox's text."""

from __future__ import annotations

from django.db.models import QuerySet

from integrations.models import SandboxSms
from integrations.sms.registry import sms_gateway
from integrations.sms.sandbox import SandboxSmsGateway
from signin.models import LoginChallenge, TrustedDevice
from signin.services import code_reference


def challenge_by_id(public_id: str | None) -> LoginChallenge | None:
    if not public_id:
        return None
    return LoginChallenge.objects.select_related("user").filter(public_id=public_id).first()


def trusted_devices_of(user) -> QuerySet[TrustedDevice]:
    return TrustedDevice.objects.filter(user=user, revoked_at__isnull=True).order_by("-last_used_at", "-pk")


def sandbox_code_text(challenge: LoginChallenge) -> str | None:
    """The text the sandbox gateway "delivered" for this challenge's latest code, while the
    gateway is the sandbox (never in production, which refuses the sandbox gateway)."""
    if challenge.sends == 0 or not isinstance(sms_gateway(), SandboxSmsGateway):
        return None
    row = SandboxSms.objects.filter(reference=code_reference(challenge)).first()
    return row.text if row is not None else None
