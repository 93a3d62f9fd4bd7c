"""The demo's staff authenticator: the published secret works in any authenticator app."""

import base64

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from signin.demo import DEMO_TOTP_SECRET, give_demo_authenticator, is_demo_device

pytestmark = pytest.mark.django_db


class TestGiveDemoAuthenticator:
    def test_gives_a_confirmed_device_whose_codes_the_published_secret_makes(self, staff_member):
        secret = give_demo_authenticator(user=staff_member)

        device = TOTPDevice.objects.get(user=staff_member)
        app_code = TOTP(base64.b32decode(secret)).token()
        assert secret == DEMO_TOTP_SECRET
        assert device.confirmed
        assert device.verify_token(f"{app_code:06d}")

    def test_marks_the_device_as_the_demo_s(self, staff_member):
        give_demo_authenticator(user=staff_member)

        assert is_demo_device(TOTPDevice.objects.get(user=staff_member))

    def test_no_other_device_counts_as_the_demo_s(self, staff_member):
        device = TOTPDevice.objects.create(user=staff_member, name="app", confirmed=True)

        assert not is_demo_device(device)
