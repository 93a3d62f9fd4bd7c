"""``GET /seals/{code}``: anyone checks an electronic seal by its verification code (public)."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from api.errors import ErrorSerializer
from audit.seals import SealNotFound, seal_kind_label, seal_public_key, verify_seal


class SealSerializer(serializers.Serializer):
    code = serializers.CharField()
    kind = serializers.CharField(help_text="e.g. LOAN_APPROVAL")
    kind_label = serializers.CharField()
    subject = serializers.CharField(help_text="the sealed record, e.g. loan-application:42")
    signer = serializers.CharField()
    signed_at = serializers.DateTimeField()
    key_id = serializers.CharField()
    genuine = serializers.BooleanField(help_text="signed by the centre and unchanged since")
    revoked = serializers.BooleanField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    revoke_reason = serializers.CharField(allow_blank=True)
    public_key = serializers.CharField(help_text="the centre's current Ed25519 public key, url-safe base64")


class SealView(APIView):
    permission_classes = (AllowAny,)
    authentication_classes = ()
    throttle_classes = (AnonRateThrottle,)

    @extend_schema(
        auth=[],
        description="Anyone holding a sealed document checks its electronic seal by the verification code.",
        responses={200: SealSerializer, 404: ErrorSerializer, 429: ErrorSerializer},
        examples=[
            OpenApiExample(
                "a loan approval seal",
                value={
                    "code": "7KQ2M9XC4RTA",
                    "kind": "LOAN_APPROVAL",
                    "kind_label": "公积金贷款终审",
                    "subject": "loan-application:42",
                    "signer": "deputy_director",
                    "signed_at": "2026-11-24T09:30:00+08:00",
                    "key_id": "2026",
                    "genuine": True,
                    "revoked": False,
                    "revoked_at": None,
                    "revoke_reason": "",
                    "public_key": "ZmFrZS1wdWJsaWMta2V5LWZvci10aGUtZXhhbXBsZTA=",
                },
                response_only=True,
            )
        ],
    )
    def get(self, request, code: str):
        try:
            verdict = verify_seal(code=code)
        except SealNotFound as error:
            raise NotFound(str(error)) from error
        seal = verdict.seal
        return Response(
            SealSerializer(
                {
                    "code": seal.code,
                    "kind": seal.kind,
                    "kind_label": seal_kind_label(seal.kind),
                    "subject": seal.subject,
                    "signer": seal.signer_label,
                    "signed_at": seal.signed_at,
                    "key_id": seal.key_id,
                    "genuine": verdict.genuine,
                    "revoked": verdict.revoked,
                    "revoked_at": seal.revoked_at,
                    "revoke_reason": seal.revoke_reason,
                    "public_key": seal_public_key(),
                }
            ).data
        )
