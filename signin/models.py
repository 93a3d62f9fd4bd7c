"""Second factors: the code challenges of a login in progress, and the devices a user trusts.

Neither table holds a secret in clear: a challenge keeps a keyed hash of its code, a trusted
device a keyed hash of the device id its browser (or app) holds.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Factor(models.TextChoices):
    SMS = "sms", _("Text message code")
    TOTP = "totp", _("Authenticator app code")


class ChallengeState(models.TextChoices):
    OPEN = "OPEN", _("Waiting for the code")
    PASSED = "PASSED", _("Passed")
    VOID = "VOID", _("Void")


class LoginChallenge(models.Model):
    """A login whose password was right, waiting for its second factor."""

    # The opaque id a browser's session or an app holds; random, so one cannot guess another's.
    public_id = models.CharField(_("challenge id"), max_length=43, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="login_challenges",
    )
    factor = models.CharField(_("second factor"), max_length=8, choices=Factor.choices)
    channel = models.CharField(_("channel"), max_length=8)
    # The keyed hash of the six-digit text code; empty for an authenticator-app challenge.
    code_hash = models.CharField(_("code hash"), max_length=64, blank=True)
    device_hash = models.CharField(_("device hash"), max_length=64, blank=True)
    # Masked, as shown to the person: the challenge never needs the full number again.
    sent_to = models.CharField(_("sent to"), max_length=11, blank=True)
    state = models.CharField(
        _("state"), max_length=8, choices=ChallengeState.choices, default=ChallengeState.OPEN
    )
    attempts = models.PositiveSmallIntegerField(_("wrong codes"), default=0)
    sends = models.PositiveSmallIntegerField(_("codes sent"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_sent_at = models.DateTimeField(_("last sent at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("login challenge")
        verbose_name_plural = _("login challenges")
        indexes = [models.Index(fields=["user", "-created_at"], name="signin_challenge_recent")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(factor="sms") | ~Q(code_hash=""), name="signin_challenge_sms_has_code"
            ),
        ]

    def __str__(self):
        return f"{self.factor} challenge for user {self.user_id} (#{self.pk})"


class TrustedDevice(models.Model):
    """A browser or app that passed a text-code challenge: its logins skip the code until revoked."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="trusted_devices",
    )
    device_hash = models.CharField(_("device hash"), max_length=64)
    label = models.CharField(_("device"), max_length=100)
    created_at = models.DateTimeField(_("trusted since"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("trusted device")
        verbose_name_plural = _("trusted devices")
        constraints = [
            # One live trust per user and device: trusting again refreshes the row.
            models.UniqueConstraint(
                fields=["user", "device_hash"],
                condition=Q(revoked_at__isnull=True),
                name="signin_device_one_live_trust",
            ),
        ]

    def __str__(self):
        return f"{self.label} of user {self.user_id} (#{self.pk})"
