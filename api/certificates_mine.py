"""``/me/certificates``: the employee's own deposit certificates (缴存证明) — list, issue, one.

What each certifies is checked by anyone at ``/certificates/{code}``; here the holder finds the
codes of their certificates and issues a new one, as the hall's certificate page does. Another
person's certificate id is answered as no certificate, so ids reveal nothing.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import ErrorSerializer
from deposits.certificate import deposit_certificate_of, deposit_certificates_of, issue_deposit_certificate
from deposits.models import CertificatePurpose

_EXAMPLE = {
    "id": 42,
    "code": "7KQ2M9XC4RTA",
    "purpose": "PURCHASE",
    "purpose_label": "购房",
    "issued_on": "2026-11-24",
    "revoked": False,
}


def _person_of(request):
    person = getattr(request.user, "person", None)
    if person is None:
        raise PermissionDenied(_("Only employees have a fund account."))
    return person


class MyCertificateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(
        source="seal.code", help_text="the verification code: GET /certificates/{code}"
    )
    purpose = serializers.ChoiceField(choices=CertificatePurpose.values)
    purpose_label = serializers.CharField(source="get_purpose_display")
    issued_on = serializers.DateField()
    revoked = serializers.SerializerMethodField()

    def get_revoked(self, certificate) -> bool:
        return certificate.seal.revoked_at is not None


class IssueCertificateSerializer(serializers.Serializer):
    purpose = serializers.ChoiceField(choices=CertificatePurpose.values)


class MyCertificatesView(APIView):
    @extend_schema(
        responses=MyCertificateSerializer(many=True),
        description="The employee's deposit certificates, the latest first, each with its verification code.",
        examples=[OpenApiExample("one certificate", value=[_EXAMPLE], response_only=True)],
    )
    def get(self, request):
        return Response(MyCertificateSerializer(deposit_certificates_of(_person_of(request)), many=True).data)

    @extend_schema(
        request=IssueCertificateSerializer,
        responses={201: MyCertificateSerializer, 400: ErrorSerializer},
        description="Issue a deposit certificate of the employee's fund account as of today, for `purpose`.",
        examples=[
            OpenApiExample("for buying a home", value={"purpose": "PURCHASE"}, request_only=True),
            OpenApiExample("issued", value=_EXAMPLE, response_only=True),
        ],
    )
    def post(self, request):
        person = _person_of(request)
        body = IssueCertificateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        certificate = issue_deposit_certificate(
            person=person, purpose=body.validated_data["purpose"], actor=request.user
        )
        return Response(MyCertificateSerializer(certificate).data, status=status.HTTP_201_CREATED)


class MyCertificateView(APIView):
    @extend_schema(
        responses={200: MyCertificateSerializer, 404: ErrorSerializer},
        description="One of the employee's deposit certificates; another person's is not found.",
        examples=[OpenApiExample("a certificate", value=_EXAMPLE, response_only=True)],
    )
    def get(self, request, certificate_id: int):
        certificate = deposit_certificate_of(_person_of(request), certificate_id)
        if certificate is None:
            raise NotFound(_("There is no such certificate."), code="NOT_FOUND")
        return Response(MyCertificateSerializer(certificate).data)
