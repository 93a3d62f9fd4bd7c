"""``GET /certificates/{code}``: anyone checks a deposit or loan-settled certificate by its code (public).

The answer is the check of ``loans.certificate_check``: ``status`` GENUINE, ALTERED or REVOKED, and
what the certificate certifies, masked, while its record still matches its seal. An unknown code,
or the code of a seal that is not a certificate, is 404 ``NOT_FOUND``.
"""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from api.errors import ErrorSerializer
from api.fields import YuanField
from audit.seals import SealNotFound
from loans.certificate_check import CertificateCheck, check_certificate


class CertifiesSerializer(serializers.Serializer):
    """What the certificate says, masked; each kind has its own fields."""

    holder = serializers.CharField(help_text="the account holder or borrower, masked: 张*")
    holder_id = serializers.CharField(help_text="the ID number, masked: 3502**********123X")
    account_no = serializers.CharField(help_text="fund account (deposit) or loan account (loan settled)")
    employer = serializers.CharField(required=False, help_text="deposit: the unit on the issue date")
    balance = YuanField(required=False, help_text="deposit: the balance on the issue date")
    months_deposited = serializers.IntegerField(required=False, help_text="deposit: months with a deposit")
    continuous_months = serializers.IntegerField(
        required=False, help_text="deposit: months in a row up to the last month paid"
    )
    paid_up_to = serializers.CharField(required=False, help_text="deposit: the last month paid, YYYY-MM")
    as_of = serializers.DateField(required=False, help_text="deposit: the issue date the figures are of")
    settled_on = serializers.DateField(required=False, help_text="loan settled: the day it was settled")


class CertificateSerializer(serializers.Serializer):
    code = serializers.CharField()
    kind = serializers.ChoiceField(choices=["DEPOSIT_CERTIFICATE", "LOAN_SETTLED"])
    kind_label = serializers.CharField()
    status = serializers.ChoiceField(
        choices=["GENUINE", "ALTERED", "REVOKED"],
        help_text="ALTERED: the seal or the certified record was changed; REVOKED: withdrawn by the centre",
    )
    issued_at = serializers.DateTimeField()
    signer = serializers.CharField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    revoke_reason = serializers.CharField(allow_blank=True)
    certifies = CertifiesSerializer(
        allow_null=True, help_text="null when the record no longer matches the seal (ALTERED)"
    )


def _certifies(check: CertificateCheck) -> dict | None:
    if check.deposit is not None:
        what = check.deposit
        return {
            "holder": what.holder,
            "holder_id": what.holder_id,
            "account_no": what.account_no,
            "employer": what.employer,
            "balance": what.balance,
            "months_deposited": what.months_deposited,
            "continuous_months": what.continuous_months,
            "paid_up_to": what.paid_up_to,
            "as_of": what.issued_on,
        }
    if check.settled is not None:
        what = check.settled
        return {
            "holder": what.borrower,
            "holder_id": what.borrower_id,
            "account_no": what.account_no,
            "settled_on": what.settled_on,
        }
    return None


class CertificateView(APIView):
    permission_classes = (AllowAny,)
    authentication_classes = ()
    throttle_classes = (AnonRateThrottle,)

    @extend_schema(
        auth=[],
        description="Anyone holding a certificate checks it by its verification code: genuine, revoked "
        "or altered.",
        responses={200: CertificateSerializer, 404: ErrorSerializer, 429: ErrorSerializer},
        examples=[
            OpenApiExample(
                "a genuine deposit certificate",
                value={
                    "code": "7KQ2M9XC4RTA",
                    "kind": "DEPOSIT_CERTIFICATE",
                    "kind_label": "住房公积金缴存证明",
                    "status": "GENUINE",
                    "issued_at": "2026-11-24T09:30:00+08:00",
                    "signer": "住房公积金管理中心缴存证明专用章",
                    "revoked_at": None,
                    "revoke_reason": "",
                    "certifies": {
                        "holder": "张*",
                        "holder_id": "3502**********123X",
                        "account_no": "100000000123",
                        "employer": "厦门示例有限公司",
                        "balance": "56800.00",
                        "months_deposited": 36,
                        "continuous_months": 24,
                        "paid_up_to": "2026-11",
                        "as_of": "2026-11-24",
                    },
                },
                response_only=True,
            )
        ],
    )
    def get(self, request, code: str):
        try:
            check = check_certificate(code)
        except SealNotFound as error:
            raise NotFound(str(error.message), code="NOT_FOUND") from error
        return Response(
            CertificateSerializer(
                {
                    "code": check.code,
                    "kind": check.kind,
                    "kind_label": check.kind_label,
                    "status": check.status,
                    "issued_at": check.issued_at,
                    "signer": check.signer,
                    "revoked_at": check.revoked_at,
                    "revoke_reason": check.revoke_reason,
                    "certifies": _certifies(check),
                }
            ).data
        )
