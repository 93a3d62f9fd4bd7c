"""``/withdrawals``: apply for a withdrawal (the decision is in the answer when it is automatic) and
follow it to the money on the card, for the mobile app and the mini-programs (CONTRACT.md)."""

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import payout_card
from api.applications import (
    CHANNEL_HEADER,
    OUTCOMES,
    PAYOUT_EXAMPLE,
    STEP_EXAMPLES,
    PayoutSerializer,
    ReasonSerializer,
    StepSerializer,
    _person_of,
    payout_of,
    step_row,
)
from api.errors import ErrorSerializer
from api.fields import StrictCharField, YuanField
from api.permissions import visible_or_not_found
from approvals.documents import Upload
from approvals.models import Application, Channel
from approvals.selectors import explained_reasons
from approvals.services import submit_application
from withdrawals.selectors import withdrawal_timeline

#: Reasons paid to the loan rather than to a card.
NO_CARD_REASONS = ("LOAN_REPAYMENT_MONTHLY",)


class WithdrawalRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=40, help_text="LEAVING_CITY, RETIREMENT, RENT, … (CONTRACT.md)")
    amount = YuanField(
        required=False, allow_null=True, help_text="yuan; without it, the largest amount the rules allow"
    )
    period_months = serializers.ChoiceField(
        choices=[1, 3], required=False, help_text="RENT: monthly or quarterly"
    )
    property_id = StrictCharField(required=False, max_length=64, help_text="PURCHASE_IN_CITY: which home")
    consent = serializers.BooleanField(
        help_text="true: the applicant agrees that the centre asks the data sources this reason needs"
    )


class DecisionSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=sorted(OUTCOMES.values()))
    reasons = ReasonSerializer(many=True)
    amount_limit = YuanField(allow_null=True, help_text="largest amount the rules allow, when they fix one")
    decision_ms = serializers.IntegerField()


class WithdrawalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reason = serializers.CharField()
    status = serializers.CharField(help_text="SUBMITTED, APPROVED, REJECTED, REFERRED, WITHDRAWN")
    submitted_at = serializers.DateTimeField()
    due_on = serializers.DateField(help_text="legal decision deadline (working days)")
    decision = DecisionSerializer(allow_null=True)
    payout = PayoutSerializer(allow_null=True)
    timeline = StepSerializer(many=True)


def withdrawal_row(application: Application) -> dict:
    language = get_language()
    decision = application.decisions.order_by("-decided_at", "-pk").first()
    steps = withdrawal_timeline(application, language=language)
    return {
        "id": application.pk,
        "reason": application.reason,
        "status": application.status,
        "submitted_at": application.submitted_at,
        "due_on": application.due_on,
        "decision": {
            "outcome": OUTCOMES[decision.outcome],
            "reasons": explained_reasons(decision, language=language),
            "amount_limit": decision.amount_limit,
            "decision_ms": decision.decision_ms,
        }
        if decision is not None
        else None,
        "payout": payout_of(steps),
        "timeline": [step_row(step) for step in steps],
    }


_WITHDRAWAL_EXAMPLE = {
    "id": 3107,
    "reason": "RENT",
    "status": "APPROVED",
    "submitted_at": "2026-11-27T10:02:11+08:00",
    "due_on": "2026-12-04",
    "decision": {"outcome": "APPROVED", "reasons": [], "amount_limit": "4500.00", "decision_ms": 212},
    "payout": PAYOUT_EXAMPLE,
    "timeline": STEP_EXAMPLES,
}
_NO_CARD_MESSAGE = "请先登记本人名下的银行卡：提取款只支付到本人银行卡。"


class WithdrawalsView(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request=WithdrawalRequestSerializer,
        responses={201: WithdrawalSerializer, 400: ErrorSerializer, 409: ErrorSerializer},
        description="Apply. Multipart bodies may carry `documents` files (PDF, JPEG, PNG) for the "
        "reasons staff decide.",
        examples=[
            OpenApiExample(
                "Rent for a quarter, the largest amount allowed",
                value={"reason": "RENT", "period_months": 3, "consent": True},
                request_only=True,
            ),
            OpenApiExample(
                "Leaving the city, a stated amount",
                value={"reason": "LEAVING_CITY", "amount": "31250.40", "consent": True},
                request_only=True,
            ),
            OpenApiExample("Approved in seconds and paid", value=_WITHDRAWAL_EXAMPLE, response_only=True),
            OpenApiExample(
                "No bank card registered",
                value={
                    "code": "VALIDATION_ERROR",
                    "detail": "无效的输入。",
                    "errors": [{"field": "card", "code": "NO_VERIFIED_CARD", "message": _NO_CARD_MESSAGE}],
                },
                response_only=True,
                status_codes=["400"],
            ),
        ],
    )
    def post(self, request):
        person = _person_of(request)
        body = WithdrawalRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if not data["consent"]:
            raise ValidationError(
                {"consent": [_("Agree to the checks: the application cannot be decided without them.")]},
                code="CONSENT_REQUIRED",
            )
        if data["reason"] not in NO_CARD_REASONS and payout_card(person) is None:
            raise ValidationError(
                {"card": [_("Register a bank card in your own name first: the money is paid only to it.")]},
                code="NO_VERIFIED_CARD",
            )
        payload = {key: data[key] for key in ("amount", "period_months", "property_id") if data.get(key)}
        application = submit_application(
            kind="withdrawal",
            reason=data["reason"],
            applicant=person,
            channel=request.headers.get(CHANNEL_HEADER) or Channel.API,
            payload=payload,
            actor=request.user,
            documents=[Upload(filename=f.name, content=f.read()) for f in request.FILES.getlist("documents")],
        )
        return Response(
            WithdrawalSerializer(withdrawal_row(application)).data, status=status.HTTP_201_CREATED
        )


class WithdrawalView(APIView):
    @extend_schema(
        responses={200: WithdrawalSerializer, 404: ErrorSerializer},
        description="One withdrawal application with its decision and payout: its applicant or staff only.",
        examples=[OpenApiExample("Approved and paid", value=_WITHDRAWAL_EXAMPLE, response_only=True)],
    )
    def get(self, request, application_id: int):
        # Another person's application answers as one that does not exist: ids reveal nothing.
        application = visible_or_not_found(
            request.user,
            "withdrawals.view_application",
            Application.objects.filter(pk=application_id, kind="withdrawal").first(),
        )
        return Response(WithdrawalSerializer(withdrawal_row(application)).data)
