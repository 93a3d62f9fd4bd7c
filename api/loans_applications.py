"""``/loans/applications``: apply for a housing fund loan (eligibility and the pre-approved quota are in
the answer at once), list and follow one's applications, and — as the spouse co-borrower — confirm
one; the applicant withdraws it, sends it again after staff returned it, books the contract signing
and, with the co-borrower, downloads the contract: what the hall's loan pages do (CONTRACT.md)."""

from django.http import HttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from api.applications import CHANNEL_HEADER, ReasonSerializer, _person_of
from api.errors import ErrorSerializer
from api.fields import YuanField
from api.loans_accounts import _RefusalsInJson
from approvals.models import Channel
from loans.applications import (
    CO_BORROWER,
    active_signing,
    loan_application_detail,
    loan_application_visible_to,
    loan_applications_of,
)
from loans.calculators import LIMITS
from loans.contract import loan_contract_pdf
from loans.contract_terms import contract_case, contract_no, contract_terms, has_contract, is_borrower
from loans.models import LoanStatus, PropertyKind
from loans.services import (
    LoanTerms,
    apply_for_loan,
    book_signing,
    confirm_co_borrower,
    resubmit_loan_application,
    withdraw_loan_application,
)

APPLICANT = "APPLICANT"


class LoanApplicationRequestSerializer(serializers.Serializer):
    property_kind = serializers.ChoiceField(choices=PropertyKind.values, help_text="NEW or RESALE")
    property_ref = serializers.CharField(max_length=64, help_text="purchase contract or certificate number")
    property_address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    house_price = YuanField()
    seller_name = serializers.CharField(max_length=50, help_text="the developer or owner, as on the contract")
    seller_account = serializers.CharField(max_length=30, help_text="the account the loan is paid into")
    first_home = serializers.BooleanField()
    term_months = serializers.IntegerField(min_value=1, help_text="1 to loan.max_term_months (360)")
    repayment_method = serializers.CharField(max_length=20, help_text="EQUAL_INSTALMENT or EQUAL_PRINCIPAL")
    monthly_income = YuanField(help_text="with the co-borrower's income when there is one")
    other_monthly_debt = YuanField(required=False, help_text='default "0.00"')
    amount = YuanField(required=False, allow_null=True, help_text="without it, the pre-approved quota")
    co_borrower_id_number = serializers.CharField(
        max_length=18, required=False, allow_blank=True, help_text="the spouse, who confirms from their login"
    )
    consent = serializers.BooleanField(
        help_text="true: the applicant agrees that the centre asks the credit bureau (and 民政 with a "
        "co-borrower)"
    )


class LoanResubmitRequestSerializer(LoanApplicationRequestSerializer):
    """The details staff returned for correction; the consent and the co-borrower stay as they were."""

    consent = None
    co_borrower_id_number = None


class SigningRequestSerializer(serializers.Serializer):
    counter = serializers.CharField(
        max_length=20, help_text="a counter code from /appointments/slots?service=LOAN_SIGNING"
    )
    starts_at = serializers.DateTimeField(help_text="a free slot's start, as /appointments/slots gives it")


class LoanApplicationItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="loan.pk")
    status = serializers.CharField(
        source="loan.status", help_text="as `status` of GET /loans/applications/{id}"
    )
    status_label = serializers.CharField(
        source="loan.get_status_display", help_text="in the request's language"
    )
    role = serializers.ChoiceField(choices=[APPLICANT, CO_BORROWER], help_text="the caller's")
    applicant_name = serializers.CharField(source="loan.applicant.name")
    amount = YuanField(source="loan.amount")
    term_months = serializers.IntegerField(source="loan.term_months")
    submitted_at = serializers.DateTimeField(source="loan.submitted_at")


class LimitsSerializer(serializers.Serializer):
    balance_multiple = YuanField()
    repayment_ability = YuanField()
    price_ratio = YuanField()
    city_cap = YuanField()


class SourceAnswerSerializer(serializers.Serializer):
    source = serializers.CharField(help_text="source.operation, e.g. credit_bureau.credit_report")
    name = serializers.CharField()
    outcome = serializers.CharField(help_text="OK, NOT_FOUND or UNAVAILABLE")
    latency_ms = serializers.IntegerField(allow_null=True)


class LoanEligibilitySerializer(serializers.Serializer):
    outcome = serializers.CharField(help_text="APPROVE, REJECT or REFER (a source did not answer)")
    reasons = ReasonSerializer(many=True)
    sources = SourceAnswerSerializer(many=True)


class TodoSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="e.g. BOOK_SIGNING, CO_BORROWER_TO_CONFIRM, WAIT_FOR_APPROVAL")
    label = serializers.CharField()


class LoanStepSerializer(serializers.Serializer):
    step = serializers.CharField(help_text="SUBMITTED, CHECKED, PRE_ACCEPTED, CO_BORROWER_CONFIRMED, …")
    label = serializers.CharField()
    at = serializers.DateTimeField(allow_null=True)
    detail = serializers.CharField(allow_blank=True)


class SigningSerializer(serializers.Serializer):
    reference = serializers.CharField()
    starts_at = serializers.DateTimeField()
    counter = serializers.CharField()


class LoanApplicationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=LoanStatus.values)
    role = serializers.ChoiceField(choices=["APPLICANT", "CO_BORROWER", "STAFF"], help_text="the caller's")
    submitted_at = serializers.DateTimeField()
    amount = YuanField()
    quota = YuanField()
    annual_rate = serializers.CharField(help_text='a fraction as text, "0.026" is 2.6 %')
    term_months = serializers.IntegerField()
    repayment_method = serializers.CharField(help_text="EQUAL_INSTALMENT or EQUAL_PRINCIPAL")
    limits = LimitsSerializer()
    binding = serializers.ChoiceField(choices=list(LIMITS))
    co_borrower_confirmed = serializers.BooleanField(allow_null=True, help_text="null without a co-borrower")
    eligibility = LoanEligibilitySerializer(allow_null=True)
    todo = TodoSerializer(many=True)
    timeline = LoanStepSerializer(many=True)
    signing = SigningSerializer(allow_null=True)


def loan_row(loan, role: str) -> dict:
    detail = loan_application_detail(loan, role=role, language=get_language())
    signing = active_signing(loan)
    limits = (loan.quota_limits or {}).get("limits", {})
    return {
        "id": loan.pk,
        "status": loan.status,
        "role": role,
        "submitted_at": loan.submitted_at,
        "amount": loan.amount,
        "quota": loan.quota,
        "annual_rate": format(loan.annual_rate.normalize(), "f"),
        "term_months": loan.term_months,
        "repayment_method": loan.repayment_method,
        "limits": {key: int(limits.get(key, 0)) for key in LIMITS},
        "binding": detail.binding,
        "co_borrower_confirmed": None
        if loan.co_borrower_id is None
        else loan.co_borrower_confirmed_at is not None,
        "eligibility": {
            "outcome": detail.outcome,
            "reasons": detail.reasons,
            "sources": [
                {"source": s.key, "name": s.name, "outcome": s.outcome, "latency_ms": s.latency_ms}
                for s in detail.sources
            ],
        }
        if detail.decision is not None
        else None,
        "todo": [{"code": todo.code, "label": todo.label} for todo in detail.todos],
        "timeline": [
            {"step": step.step, "label": step.label, "at": step.at, "detail": step.detail}
            for step in detail.timeline
        ],
        "signing": {
            "reference": signing.reference,
            "starts_at": signing.starts_at,
            "counter": signing.counter.code,
        }
        if signing is not None
        else None,
    }


_REQUEST_EXAMPLE = {
    "property_kind": "NEW",
    "property_ref": "XM2026-0001",
    "property_address": "思明区某路8号",
    "house_price": "3000000.00",
    "seller_name": "厦门某房地产开发有限公司",
    "seller_account": "6222021234567890128",
    "first_home": True,
    "term_months": 240,
    "repayment_method": "EQUAL_INSTALMENT",
    "monthly_income": "20000.00",
    "other_monthly_debt": "0.00",
    "consent": True,
}
_ANSWER_EXAMPLE = {
    "id": 42,
    "status": "PRE_ACCEPTED",
    "role": "APPLICANT",
    "submitted_at": "2026-11-26T10:00:00+08:00",
    "amount": "432000.00",
    "quota": "432000.00",
    "annual_rate": "0.026",
    "term_months": 240,
    "repayment_method": "EQUAL_INSTALMENT",
    "limits": {
        "balance_multiple": "432000.00",
        "repayment_ability": "1869899.66",
        "price_ratio": "2400000.00",
        "city_cap": "600000.00",
    },
    "binding": "balance_multiple",
    "co_borrower_confirmed": None,
    "eligibility": {
        "outcome": "APPROVE",
        "reasons": [],
        "sources": [
            {
                "source": "credit_bureau.credit_report",
                "name": "人民银行征信中心",
                "outcome": "OK",
                "latency_ms": 48,
            }
        ],
    },
    "todo": [
        {"code": "BOOK_SIGNING", "label": "预约签订借款合同"},
        {"code": "WAIT_FOR_APPROVAL", "label": "等待中心审批（8个工作日）"},
    ],
    "timeline": [
        {"step": "SUBMITTED", "label": "申请已提交", "at": "2026-11-26T10:00:00+08:00", "detail": ""},
        {
            "step": "CHECKED",
            "label": "已通过数据源核查贷款资格",
            "at": "2026-11-26T10:00:00+08:00",
            "detail": "",
        },
        {
            "step": "PRE_ACCEPTED",
            "label": "已预受理，额度已核定",
            "at": "2026-11-26T10:00:00+08:00",
            "detail": "",
        },
    ],
    "signing": None,
}


#: The X-Channel header, as /me/eligibility documents it.
CHANNEL_PARAMETER = OpenApiParameter(
    CHANNEL_HEADER,
    str,
    OpenApiParameter.HEADER,
    enum=Channel.values,
    description='the channel asking (default "API")',
)


def _visible_or_404(request, application_id: int):
    found = loan_application_visible_to(loan_id=application_id, user=request.user)
    if found is None:
        raise NotFound(_("There is no such loan application of yours."))
    return found


def _own_or_404(request, application_id: int):
    """An application the caller is a borrower on; staff and employers are refused first (403)."""
    _person_of(request)
    found = _visible_or_404(request, application_id)
    if found[1] not in (APPLICANT, CO_BORROWER):
        raise NotFound(_("There is no such loan application of yours."))
    return found


def _terms(data) -> LoanTerms:
    return LoanTerms(
        property_kind=data["property_kind"],
        property_ref=data["property_ref"],
        property_address=data.get("property_address", ""),
        house_price=data["house_price"],
        seller_name=data["seller_name"],
        seller_account=data["seller_account"],
        first_home=data["first_home"],
        term_months=data["term_months"],
        repayment_method=data["repayment_method"],
        monthly_income=data["monthly_income"],
        other_monthly_debt=data.get("other_monthly_debt") or 0,
        amount=data.get("amount"),
    )


def _error(code: str, message: str, field: str | None = None) -> dict:
    return {
        "code": code,
        "detail": message,
        "errors": [{"field": field, "code": code, "message": message}] if field else [],
    }


_NOT_YOURS_EXAMPLE = OpenApiExample(
    "Not the caller's",
    value=_error("NOT_FOUND", "您没有这笔贷款申请。"),
    response_only=True,
    status_codes=["404"],
)
_STATUS_CONFLICT_EXAMPLE = OpenApiExample(
    "Not in this status",
    value=_error("LOAN_STATUS_CONFLICT", "申请当前状态为“已通过”，不能办理此项操作。"),
    response_only=True,
    status_codes=["409"],
)


class LoanApplicationsView(APIView):
    @extend_schema(
        responses={200: LoanApplicationItemSerializer(many=True), 403: ErrorSerializer},
        description="Every loan application the caller is on, as applicant or co-borrower, the latest "
        "first; GET /loans/applications/{id} has the whole of one. Employees only (403).",
        examples=[
            OpenApiExample(
                "One application",
                value={
                    "id": 42,
                    "status": "PRE_ACCEPTED",
                    "status_label": "已预受理",
                    "role": "APPLICANT",
                    "applicant_name": "张三",
                    "amount": "432000.00",
                    "term_months": 240,
                    "submitted_at": "2026-11-26T10:00:00+08:00",
                },
                response_only=True,
            )
        ],
    )
    def get(self, request):
        items = loan_applications_of(_person_of(request))
        return Response(LoanApplicationItemSerializer(items, many=True).data)

    @extend_schema(
        request=LoanApplicationRequestSerializer,
        responses={
            201: LoanApplicationSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
            409: ErrorSerializer,
        },
        parameters=[CHANNEL_PARAMETER],
        description="Apply for a fund loan. Eligibility (LOAN_ELIGIBILITY) and the pre-approved quota "
        "(from the centre's balances of the applicant and the co-borrower) are decided at once: "
        "PRE_ACCEPTED, AWAITING_CO_BORROWER (the spouse confirms from their own login) or REJECTED "
        "with reasons. An amount above the quota is refused (AMOUNT_ABOVE_QUOTA); a source that does "
        "not answer leaves it PRE_ACCEPTED for staff to check.",
        examples=[
            OpenApiExample("A first home over 20 years", value=_REQUEST_EXAMPLE, request_only=True),
            OpenApiExample(
                "Pre-accepted: the balance multiple binds", value=_ANSWER_EXAMPLE, response_only=True
            ),
        ],
    )
    def post(self, request):
        person = _person_of(request)
        body = LoanApplicationRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        loan = apply_for_loan(
            applicant=person,
            terms=_terms(data),
            consent=data["consent"],
            channel=request.headers.get(CHANNEL_HEADER) or Channel.API,
            actor=request.user,
            co_borrower_id_number=data.get("co_borrower_id_number") or None,
        )
        return Response(
            LoanApplicationSerializer(loan_row(loan, "APPLICANT")).data, status=status.HTTP_201_CREATED
        )


class LoanApplicationView(APIView):
    @extend_schema(
        responses={200: LoanApplicationSerializer, 404: ErrorSerializer},
        description="An application, for its applicant, its co-borrower or staff.",
        examples=[OpenApiExample("Pre-accepted", value=_ANSWER_EXAMPLE, response_only=True)],
    )
    def get(self, request, application_id: int):
        loan, role = _visible_or_404(request, application_id)
        return Response(LoanApplicationSerializer(loan_row(loan, role)).data)


class ConfirmCoBorrowerView(APIView):
    @extend_schema(
        request=None,
        responses={
            200: LoanApplicationSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
        description="The co-borrower, with their own token, confirms: AWAITING_CO_BORROWER → PRE_ACCEPTED.",
        examples=[
            OpenApiExample(
                "Confirmed",
                value={**_ANSWER_EXAMPLE, "role": "CO_BORROWER", "co_borrower_confirmed": True},
                response_only=True,
            ),
            OpenApiExample(
                "Not the co-borrower",
                value=_error("NOT_YOUR_LOAN_APPLICATION", "只有申请中列明的共同借款人本人可以确认。"),
                response_only=True,
                status_codes=["403"],
            ),
        ],
    )
    def post(self, request, application_id: int):
        _loan, role = _visible_or_404(request, application_id)
        loan = confirm_co_borrower(loan_id=application_id, actor=request.user)
        return Response(LoanApplicationSerializer(loan_row(loan, role)).data)


class WithdrawLoanApplicationView(APIView):
    @extend_schema(
        request=None,
        responses={
            200: LoanApplicationSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
        description="The applicant withdraws the application before the staff chain has it (or while it "
        "is returned to them): → WITHDRAWN; a booked signing appointment is cancelled. Refusals: 403 "
        "NOT_YOUR_LOAN_APPLICATION (the co-borrower), 409 LOAN_STATUS_CONFLICT. Another person's "
        "application is 404. Employees only (403).",
        examples=[
            OpenApiExample(
                "Withdrawn",
                value={**_ANSWER_EXAMPLE, "status": "WITHDRAWN", "todo": []},
                response_only=True,
            ),
            _NOT_YOURS_EXAMPLE,
            _STATUS_CONFLICT_EXAMPLE,
        ],
    )
    def post(self, request, application_id: int):
        _loan, role = _own_or_404(request, application_id)
        loan = withdraw_loan_application(loan_id=application_id, actor=request.user)
        return Response(LoanApplicationSerializer(loan_row(loan, role)).data)


class ResubmitLoanApplicationView(APIView):
    @extend_schema(
        request=LoanResubmitRequestSerializer,
        responses={
            200: LoanApplicationSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
        description="The applicant sends an application staff RETURNED for correction again, with the "
        "corrected details (the consent and the co-borrower stay as they were): → PRE_ACCEPTED, the "
        "quota worked out again from today's balances. Refusals as for applying (400, e.g. "
        "AMOUNT_ABOVE_QUOTA), 403 NOT_YOUR_LOAN_APPLICATION, 409 LOAN_STATUS_CONFLICT (not RETURNED). "
        "Another person's application is 404. Employees only (403).",
        examples=[
            OpenApiExample(
                "Corrected price",
                value={
                    key: value
                    for key, value in {**_REQUEST_EXAMPLE, "house_price": "2500000.00"}.items()
                    if key != "consent"
                },
                request_only=True,
            ),
            OpenApiExample("Pre-accepted again", value=_ANSWER_EXAMPLE, response_only=True),
            _STATUS_CONFLICT_EXAMPLE,
        ],
    )
    def post(self, request, application_id: int):
        _loan, role = _own_or_404(request, application_id)
        body = LoanResubmitRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        loan = resubmit_loan_application(
            loan_id=application_id, terms=_terms(body.validated_data), actor=request.user
        )
        return Response(LoanApplicationSerializer(loan_row(loan, role)).data)


class BookSigningView(APIView):
    @extend_schema(
        request=SigningRequestSerializer,
        responses={
            200: LoanApplicationSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
        description="The applicant books the counter appointment (service LOAN_SIGNING) where both "
        "borrowers sign the contract; the free slots are at GET /appointments/slots?service=LOAN_SIGNING. "
        "The booking is linked to the application (its `signing`), which POST /appointments alone does "
        "not do; change or cancel it under /appointments/{id}. Refusals: the booking's (SLOT_FULL, "
        "COUNTER_CLOSED, NOT_A_SLOT, …), 409 SIGNING_ALREADY_BOOKED, 409 LOAN_STATUS_CONFLICT, 403 "
        "NOT_YOUR_LOAN_APPLICATION (the co-borrower). Another person's application is 404. Employees "
        "only (403).",
        examples=[
            OpenApiExample(
                "A slot",
                value={"counter": "siming", "starts_at": "2026-11-30T09:30:00+08:00"},
                request_only=True,
            ),
            OpenApiExample(
                "Signing booked",
                value={
                    **_ANSWER_EXAMPLE,
                    "todo": [
                        {
                            "code": "COME_TO_SIGN",
                            "label": "按预约时间携带身份证件，借款人与共同借款人一同到柜台签约",
                        },
                        {"code": "WAIT_FOR_APPROVAL", "label": "等待中心审批（8个工作日）"},
                    ],
                    "signing": {
                        "reference": "K7M2Q9XT",
                        "starts_at": "2026-11-30T09:30:00+08:00",
                        "counter": "siming",
                    },
                },
                response_only=True,
            ),
            OpenApiExample(
                "Already booked",
                value=_error(
                    "SIGNING_ALREADY_BOOKED",
                    "已预约签订合同：如需更改或取消，请到“我的预约”办理。",
                    "starts_at",
                ),
                response_only=True,
                status_codes=["409"],
            ),
        ],
    )
    def post(self, request, application_id: int):
        _loan, role = _own_or_404(request, application_id)
        body = SigningRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        loan = book_signing(
            loan_id=application_id,
            starts_at=body.validated_data["starts_at"],
            counter_code=body.validated_data["counter"],
            actor=request.user,
        )
        return Response(LoanApplicationSerializer(loan_row(loan, role)).data)


class LoanContractView(APIView):
    renderer_classes = (JSONRenderer,)
    content_negotiation_class = _RefusalsInJson

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
        description="The loan contract (借款合同) as a PDF, for the applicant and the co-borrower, once the "
        "loan is approved: with its number, the terms and a QR code of the approval seal's public check. "
        "Before that, 404 CONTRACT_NOT_READY; another person's application is 404 NOT_FOUND. Employees "
        "only (403): staff read contracts in the staff pages, where each download is recorded.",
        examples=[
            _NOT_YOURS_EXAMPLE,
            OpenApiExample(
                "Not approved yet",
                value=_error("CONTRACT_NOT_READY", "借款合同尚未生成：贷款审批通过后生成。"),
                response_only=True,
                status_codes=["404"],
            ),
        ],
    )
    def get(self, request, application_id: int):
        _person_of(request)
        loan = contract_case(application_id)
        # Not a borrower: the same answer as no such application, so ids reveal nothing.
        if loan is None or not is_borrower(loan=loan, user=request.user):
            raise NotFound(_("There is no such loan application of yours."))
        if not has_contract(loan):
            raise NotFound(
                _("There is no contract yet: it is drawn up once the loan is approved."),
                code="CONTRACT_NOT_READY",
            )
        verify_url = request.build_absolute_uri(reverse("web:seal", args=[loan.approval_seal.code]))
        document = loan_contract_pdf(contract_terms(loan, verify_url=verify_url))
        response = HttpResponse(document, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"loan-contract-{contract_no(loan)}.pdf"
        )
        # It names the borrowers: no shared cache may keep it.
        response["Cache-Control"] = "private, no-store"
        return response
