"""``/calculators/loan-quota`` and ``/calculators/loan-schedule``: the public loan calculators (CONTRACT.md).

No login: anyone may estimate a quota or a schedule from figures they state. Amounts travel as
yuan strings ("1800.00"), rates as decimal strings of a fraction ("0.026" is 2.6 %), never as
JSON numbers, so no float ever touches the arithmetic.
"""

import re
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import ErrorSerializer
from api.fields import YuanField
from loans.calculators import LIMITS, METHODS, QuotaInputs
from loans.selectors import loan_quota_estimate, loan_schedule

_RATE_TEXT = re.compile(r"[0-9](\.[0-9]{1,8})?", re.ASCII)


@extend_schema_field({"type": "string", "pattern": r"^\d(\.\d{1,8})?$", "example": "0.026"})
class RateField(serializers.Field):
    """An annual rate as a decimal string of a fraction ("0.026" is 2.6 %); numbers are refused."""

    default_error_messages = {
        "invalid": _('Enter the annual rate as text, a fraction such as "0.026" for 2.6%.'),
    }

    def to_representation(self, value):
        return str(value)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not _RATE_TEXT.fullmatch(data.strip()):
            self.fail("invalid")
        return Decimal(data.strip())


class LoanQuotaRequestSerializer(serializers.Serializer):
    balance = YuanField(help_text="the borrower's fund balance, yuan")
    co_borrower_balance = YuanField(
        required=False, default=0, help_text="the co-borrower's fund balance, yuan; only with a co-borrower"
    )
    monthly_income = YuanField(help_text="monthly income of the household, yuan")
    other_monthly_debt = YuanField(required=False, default=0, help_text="other monthly repayments, yuan")
    house_price = YuanField(help_text="price of the home, yuan")
    first_home = serializers.BooleanField(help_text="true: first home; false: second home")
    term_months = serializers.IntegerField(help_text="1 to loan.max_term_months (360)")
    has_co_borrower = serializers.BooleanField(required=False, default=False)


class QuotaLimitsSerializer(serializers.Serializer):
    balance_multiple = YuanField(help_text="(balance + co-borrower balance) × loan.balance_multiple")
    repayment_ability = YuanField(help_text="largest principal the affordable monthly payment repays")
    price_ratio = YuanField(help_text="house price × loan.price_ratio.first or .second")
    city_cap = YuanField(help_text="loan.cap.single or loan.cap.with_co_borrower")


class RateBasisSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="the policy parameter, e.g. loan.rate.first.over_5y")
    first_home = serializers.BooleanField()
    term_band = serializers.ChoiceField(
        choices=["upto_5y", "over_5y"], help_text="term ≤ 60 months or longer"
    )
    effective_from = serializers.DateField(help_text="the date this rate took effect")


class LoanQuotaSerializer(serializers.Serializer):
    quota = YuanField(help_text="the least limit, rounded down to loan.quota_rounding_unit")
    rate = RateField(help_text="annual rate applied, a fraction")
    rate_basis = RateBasisSerializer()
    limits = QuotaLimitsSerializer()
    binding = serializers.ChoiceField(choices=list(LIMITS), help_text="the limit that sets the quota")
    affordable_payment = YuanField(help_text="monthly income × loan.income_ratio − other monthly debt")
    parameters = serializers.DictField(
        child=serializers.CharField(), help_text="the policy parameter values used, by key"
    )


class LoanScheduleRequestSerializer(serializers.Serializer):
    principal = YuanField(help_text="yuan")
    annual_rate = RateField(help_text='a fraction: "0.026" is 2.6 % a year')
    months = serializers.IntegerField(help_text="1 to loan.max_term_months (360)")
    method = serializers.ChoiceField(choices=list(METHODS), help_text="等额本息 or 等额本金")


class InstalmentSerializer(serializers.Serializer):
    period = serializers.IntegerField()
    payment = YuanField()
    principal = YuanField()
    interest = YuanField()
    remaining = YuanField(help_text="principal still owed after this payment")


class LoanScheduleSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=list(METHODS))
    principal = YuanField()
    annual_rate = RateField()
    months = serializers.IntegerField()
    payments = InstalmentSerializer(many=True)
    total_payment = YuanField()
    total_interest = YuanField()


def _quota_row(estimate) -> dict:
    rate = estimate.rate
    return {
        "quota": estimate.quota,
        "rate": rate.annual,
        "rate_basis": {
            "key": rate.key,
            "first_home": rate.first_home,
            "term_band": rate.band,
            "effective_from": rate.effective_from,
        },
        "limits": estimate.limits,
        "binding": estimate.binding,
        "affordable_payment": estimate.affordable_payment,
        "parameters": {key: str(value) for key, value in estimate.parameters.items()},
    }


def _schedule_row(schedule) -> dict:
    return {
        "method": schedule.method,
        "principal": schedule.principal,
        "annual_rate": schedule.annual_rate,
        "months": schedule.months,
        "payments": schedule.instalments,
        "total_payment": schedule.total_payment,
        "total_interest": schedule.total_interest,
    }


_QUOTA_EXAMPLE = {
    "balance": "50000.00",
    "co_borrower_balance": "0.00",
    "monthly_income": "12000.00",
    "other_monthly_debt": "1000.00",
    "house_price": "1500000.00",
    "first_home": True,
    "term_months": 360,
    "has_co_borrower": False,
}
_QUOTA_ANSWER = {
    "quota": "600000.00",
    "rate": "0.026",
    "rate_basis": {
        "key": "loan.rate.first.over_5y",
        "first_home": True,
        "term_band": "over_5y",
        "effective_from": "2025-05-08",
    },
    "limits": {
        "balance_multiple": "750000.00",
        "repayment_ability": "1248939.30",
        "price_ratio": "1200000.00",
        "city_cap": "600000.00",
    },
    "binding": "city_cap",
    "affordable_payment": "5000.00",
    "parameters": {
        "loan.balance_multiple": "15",
        "loan.income_ratio": "0.50",
        "loan.price_ratio.first": "0.80",
        "loan.cap.single": "60000000",
        "loan.quota_rounding_unit": "100000",
        "loan.max_term_months": "360",
        "loan.rate.first.over_5y": "0.026",
    },
}
_SCHEDULE_EXAMPLE = {"principal": "1000.00", "annual_rate": "0.12", "months": 3, "method": "EQUAL_INSTALMENT"}
_SCHEDULE_ANSWER = {
    "method": "EQUAL_INSTALMENT",
    "principal": "1000.00",
    "annual_rate": "0.12",
    "months": 3,
    "payments": [
        {"period": 1, "payment": "340.02", "principal": "330.02", "interest": "10.00", "remaining": "669.98"},
        {"period": 2, "payment": "340.02", "principal": "333.32", "interest": "6.70", "remaining": "336.66"},
        {"period": 3, "payment": "340.03", "principal": "336.66", "interest": "3.37", "remaining": "0.00"},
    ],
    "total_payment": "1020.07",
    "total_interest": "20.07",
}


class LoanQuotaView(APIView):
    permission_classes = (AllowAny,)
    authentication_classes = ()

    @extend_schema(
        request=LoanQuotaRequestSerializer,
        responses={200: LoanQuotaSerializer, 400: ErrorSerializer},
        auth=[],
        description="Estimate a loan quota from stated figures, with the policy parameters in force "
        "today: the least of four limits, rounded down to 1,000 yuan (DOMAIN.md §7).",
        examples=[
            OpenApiExample("A first home over 30 years", value=_QUOTA_EXAMPLE, request_only=True),
            OpenApiExample("The city cap binds", value=_QUOTA_ANSWER, response_only=True),
        ],
    )
    def post(self, request):
        body = LoanQuotaRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        estimate = loan_quota_estimate(QuotaInputs(**body.validated_data))
        return Response(LoanQuotaSerializer(_quota_row(estimate)).data)


class LoanScheduleView(APIView):
    permission_classes = (AllowAny,)
    authentication_classes = ()

    @extend_schema(
        request=LoanScheduleRequestSerializer,
        responses={200: LoanScheduleSerializer, 400: ErrorSerializer},
        auth=[],
        description="Every monthly payment of a loan, its principal and interest parts and the principal "
        "remaining. Payments are rounded to the fen; the last one absorbs the rounding, so the "
        "principal parts sum exactly to the loan.",
        examples=[
            OpenApiExample("1,000 yuan at 12 % over 3 months", value=_SCHEDULE_EXAMPLE, request_only=True),
            OpenApiExample("The last payment absorbs a fen", value=_SCHEDULE_ANSWER, response_only=True),
        ],
    )
    def post(self, request):
        body = LoanScheduleRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        schedule = loan_schedule(**body.validated_data)
        return Response(LoanScheduleSerializer(_schedule_row(schedule)).data)
