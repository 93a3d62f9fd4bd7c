"""``/loans/applications``: apply for a housing fund loan (eligibility and the pre-approved quota are in
the answer at once), follow it, and — as the spouse co-borrower — confirm it (CONTRACT.md)."""

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from api.applications import CHANNEL_HEADER, ReasonSerializer, _person_of
from api.errors import ErrorSerializer
from api.fields import YuanField
from approvals.models import Channel
from loans.applications import (
    active_signing,
    loan_application_detail,
    loan_application_visible_to,
)
from loans.calculators import LIMITS
from loans.models import LoanStatus, PropertyKind
from loans.services import LoanTerms, apply_for_loan, confirm_co_borrower


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


class LoanApplicationsView(APIView):
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
            terms=LoanTerms(
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
            ),
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
    )
    def post(self, request, application_id: int):
        _loan, role = _visible_or_404(request, application_id)
        loan = confirm_co_borrower(loan_id=application_id, actor=request.user)
        return Response(LoanApplicationSerializer(loan_row(loan, role)).data)
