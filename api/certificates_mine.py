"""``/me/certificates``: the employee's own deposit certificates (缴存证明) — list, issue, one, and
its PDF.

What each certifies is checked by anyone at ``/certificates/{code}``; here the holder finds the
codes of their certificates and issues a new one, as the hall's certificate page does. Another
person's certificate id is answered as no certificate, so ids reveal nothing.
"""

from django.http import HttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import ErrorSerializer
from api.loans_accounts import _RefusalsInJson
from deposits.certificate import (
    deposit_certificate_of,
    deposit_certificate_pdf,
    deposit_certificates_of,
    issue_deposit_certificate,
    record_deposit_certificate_download,
)
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
        examples=[OpenApiExample("one certificate", value=_EXAMPLE, response_only=True)],
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
        return Response(MyCertificateSerializer(_own_or_404(request, certificate_id)).data)


def _own_or_404(request, certificate_id: int):
    # Another person's id: the same answer as no such certificate, so ids reveal nothing.
    certificate = deposit_certificate_of(_person_of(request), certificate_id)
    if certificate is None:
        raise NotFound(_("There is no such certificate."), code="NOT_FOUND")
    return certificate


class MyCertificatePdfView(APIView):
    renderer_classes = (JSONRenderer,)
    content_negotiation_class = _RefusalsInJson

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
        description="One of the employee's deposit certificates as a PDF, with its verification code and "
        "a QR code of the public check; the download is recorded in the audit trail. A revoked "
        "certificate, or one whose stored record changed, is refused: 409 CERTIFICATE_NOT_IN_FORCE. "
        "Another person's certificate is 404. Employees only (403).",
        examples=[
            OpenApiExample(
                "revoked",
                value={
                    "code": "CERTIFICATE_NOT_IN_FORCE",
                    "detail": "该缴存证明无法下载：其电子印章已失效。请重新出具。",
                    "errors": [],
                },
                response_only=True,
                status_codes=["409"],
            ),
            OpenApiExample(
                "not the caller's",
                value={"code": "NOT_FOUND", "detail": "没有这份证明。", "errors": []},
                response_only=True,
                status_codes=["404"],
            ),
        ],
    )
    def get(self, request, certificate_id: int):
        certificate = _own_or_404(request, certificate_id)
        code = certificate.seal.code
        verify_url = request.build_absolute_uri(reverse("web:certificate", args=[code]))
        document = deposit_certificate_pdf(certificate, verify_url=verify_url)
        record_deposit_certificate_download(certificate_id=certificate.pk, actor=request.user)
        response = HttpResponse(document, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"deposit-certificate-{code}.pdf"
        )
        # It names the holder: no shared cache may keep it.
        response["Cache-Control"] = "private, no-store"
        return response
