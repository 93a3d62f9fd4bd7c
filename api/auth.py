"""``POST /auth/token`` and ``POST /auth/token/verify``: bearer tokens for channel apps (mobile app,
mini-programs), with the same second factor as the web login.

The first call checks the password. It answers the token at once when no second factor is due
(the app sent the id of a device it trusted in ``device``, or the second factor is off); otherwise
202 with the challenge to pass: a code texted to the registered mobile (employees, employer
operators) or the authenticator app's code (staff). The second call sends the code and gets the
token, and for a texted code a device id to send as ``device`` next time.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from api.errors import ErrorSerializer
from signin.lockout import locked_out, record_failed_code, username_locked_out
from signin.models import Factor
from signin.selectors import challenge_by_id
from signin.services import (
    ChallengeOver,
    WrongCode,
    begin_login,
    confirmed_totp_device,
    verify_challenge,
)


class TokenRequestSerializer(AuthTokenSerializer):
    device = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="The device id a previous /auth/token/verify returned: a trusted device skips the code.",
    )


class VerifyRequestSerializer(serializers.Serializer):
    challenge = serializers.CharField(max_length=64, help_text="The id the 202 answer of /auth/token gave.")
    code = serializers.CharField(
        max_length=12, help_text="The six-digit code (text message or authenticator app)."
    )


SecondFactorResponse = inline_serializer(
    "SecondFactorResponse",
    {
        "second_factor": serializers.ChoiceField(choices=[Factor.SMS.value, Factor.TOTP.value]),
        "challenge": serializers.CharField(),
        "sent_to": serializers.CharField(help_text="The masked mobile the code went to; empty for totp."),
    },
)


class NoAuthenticator(ChallengeOver):
    code = "NO_AUTHENTICATOR"
    http_status = 403


class TokenView(APIView):
    """Employees give their ID number as ``username``; operators and staff their user name.

    200 with the token when no second factor is due: the second factor is off, or ``device`` is
    a device id this user's earlier /auth/token/verify returned (and they have not revoked it).
    Otherwise 202: a six-digit code has been texted to the registered mobile (``sms``; employees
    and employer operators), or the staff member's authenticator app gives it (``totp``); send it
    with the challenge to /auth/token/verify within 5 minutes. Staff without an authenticator set
    it up at their first web login (403 NO_AUTHENTICATOR); an employee with no mobile on file is
    refused (403 NO_MOBILE_ON_FILE) and must register one at a counter or through 12329. Five
    failed passwords or codes from one address lock the user out from that address only, for 30
    minutes (403 LOCKED_OUT).
    """

    permission_classes = (AllowAny,)
    authentication_classes = ()
    throttle_classes = (AnonRateThrottle,)

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer("TokenResponse", {"token": serializers.CharField()}),
            202: SecondFactorResponse,
            400: OpenApiResponse(
                ErrorSerializer, description="A field is missing, or the password is wrong."
            ),
            403: OpenApiResponse(
                ErrorSerializer,
                description="Locked out from this address, no mobile on file, or no authenticator yet.",
            ),
            429: OpenApiResponse(ErrorSerializer, description="Too many codes texted in the last hour."),
        },
        auth=[],
        examples=[
            OpenApiExample(
                "An employee (the ID number, masked here)",
                value={"username": "3502**********123X", "password": "Fund-portal-2026!"},
                request_only=True,
            ),
            OpenApiExample(
                "An employer operator on a device trusted before",
                value={
                    "username": "hr-prep",
                    "password": "Fund-portal-2026!",
                    "device": "q3V0aGVudGljYXRlZC1kZXZpY2UtaWQtZXhhbXBsZQ",
                },
                request_only=True,
            ),
            OpenApiExample(
                "A token",
                value={"token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"},
                response_only=True,
                status_codes=["200"],
            ),
            OpenApiExample(
                "A code texted to the registered mobile",
                value={
                    "second_factor": "sms",
                    "challenge": "Xw3b8yQmF0c2tZLWNoYWxsZW5nZS1pZC1leGFtcGxl",
                    "sent_to": "138****5678",
                },
                response_only=True,
                status_codes=["202"],
            ),
            OpenApiExample(
                "A staff member's authenticator code",
                value={
                    "second_factor": "totp",
                    "challenge": "Zk9vYmFyLWNoYWxsZW5nZS1pZC1zdGFmZi1leGFtcGxl",
                    "sent_to": "",
                },
                response_only=True,
                status_codes=["202"],
            ),
        ],
    )
    def post(self, request):
        if username_locked_out(request, str(request.data.get("username") or "")):
            return _locked_out()
        serializer = TokenRequestSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        challenge = begin_login(
            user=user,
            device_id=serializer.validated_data.get("device", ""),
            channel="api",
        )
        if challenge is None:
            token, _created = Token.objects.get_or_create(user=user)
            return Response({"token": token.key})
        if challenge.factor == Factor.TOTP and confirmed_totp_device(user) is None:
            raise NoAuthenticator(_("Set up your authenticator app at your first login to the web portal."))
        return Response(
            {
                "second_factor": challenge.factor,
                "challenge": challenge.public_id,
                "sent_to": challenge.sent_to,
            },
            status=status.HTTP_202_ACCEPTED,
        )


class TokenVerifyView(APIView):
    """The second step: the code for a challenge that /auth/token answered with 202.

    200 with the token and, for a texted code, ``device``: a new device id to send with the
    password next time, so this app is not asked for a code again (null for staff, who give the
    authenticator code on every login). A wrong code answers 400 WRONG_CODE with the tries left;
    the fifth wrong code, an expired code (5 minutes) or a used challenge answer 400
    CHALLENGE_OVER: start again at /auth/token. Wrong codes count as failed logins: five lock this
    user out from this address for 30 minutes (403).
    """

    permission_classes = (AllowAny,)
    authentication_classes = ()
    throttle_classes = (AnonRateThrottle,)

    @extend_schema(
        request=VerifyRequestSerializer,
        responses={
            200: inline_serializer(
                "VerifiedTokenResponse",
                {"token": serializers.CharField(), "device": serializers.CharField(allow_null=True)},
            ),
            400: OpenApiResponse(ErrorSerializer, description="Wrong code, or the challenge is over."),
            403: OpenApiResponse(ErrorSerializer, description="Locked out after too many failures."),
            429: OpenApiResponse(ErrorSerializer, description="Too many attempts from this address; wait."),
        },
        auth=[],
        examples=[
            OpenApiExample(
                "The texted code",
                value={"challenge": "Xw3b8yQmF0c2tZLWNoYWxsZW5nZS1pZC1leGFtcGxl", "code": "407215"},
                request_only=True,
            ),
            OpenApiExample(
                "A token and the device id to send next time",
                value={
                    "token": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b",
                    "device": "q3V0aGVudGljYXRlZC1kZXZpY2UtaWQtZXhhbXBsZQ",
                },
                response_only=True,
                status_codes=["200"],
            ),
            OpenApiExample(
                "A wrong code",
                value={
                    "code": "WRONG_CODE",
                    "detail": "That code is not right. 4 tries left.",
                    "errors": [
                        {
                            "field": "code",
                            "code": "WRONG_CODE",
                            "message": "That code is not right. 4 tries left.",
                        }
                    ],
                },
                response_only=True,
                status_codes=["400"],
            ),
        ],
    )
    def post(self, request):
        serializer = VerifyRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        challenge = challenge_by_id(serializer.validated_data["challenge"])
        if challenge is not None and locked_out(request, challenge.user):
            return _locked_out()
        try:
            verified = verify_challenge(
                public_id=serializer.validated_data["challenge"],
                code=serializer.validated_data["code"],
                device_label=(request.headers.get("user-agent") or "API")[:100],
            )
        except (WrongCode, ChallengeOver):
            if challenge is not None:
                record_failed_code(request, challenge.user)
            raise
        token, _created = Token.objects.get_or_create(user=verified.user)
        return Response({"token": token.key, "device": verified.device_id or None})


def _locked_out() -> Response:
    # Not a DomainError: no service refused anything; django-axes' lock stands before the password.
    return Response(
        {
            "code": "LOCKED_OUT",
            "detail": str(_("Too many failed attempts from this address. Try again in 30 minutes.")),
            "errors": [],
        },
        status=status.HTTP_403_FORBIDDEN,
    )
