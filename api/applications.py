"""``/me/applications`` and ``/me/eligibility``: the employee's applications with their timelines, and
the 秒批 pre-check ("would an application be decided in seconds, and for how much?")."""

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import ErrorSerializer
from api.fields import YuanField
from approvals.models import ApplicationStatus, Channel
from approvals.selectors import applications_of, explained_reasons, localized_reasons
from approvals.services import check_eligibility
from withdrawals.selectors import withdrawal_timelines

#: The engine's outcomes as the API names them everywhere (CONTRACT.md ``decision.outcome``).
OUTCOMES = {"APPROVE": "APPROVED", "REJECT": "REJECTED", "REFER": "REFERRED"}
_OUTCOME_CHOICES = sorted(OUTCOMES.values())
_EVENTS = ["SUBMITTED", "DECIDED", "CLAIMED", "RELEASED", "APPROVED", "REJECTED"]
CHANNEL_HEADER = "X-Channel"


def _person_of(request):
    person = getattr(request.user, "person", None)
    if person is None:
        raise PermissionDenied(_("Only employees have a fund account."))
    return person


# Examples ---------------------------------------------------------------------------------------

_SOURCE_EXAMPLES = [
    {"source": "public_security", "operation": "verify_identity", "outcome": "OK", "latency_ms": 48},
    {"source": "real_estate", "operation": "properties", "outcome": "OK", "latency_ms": 63},
    {"source": "civil_affairs", "operation": "marriage", "outcome": "OK", "latency_ms": 51},
]
#: A rent withdrawal approved in seconds and paid to the card: the steps of its timeline.
STEP_EXAMPLES = [
    {
        "step": "SUBMITTED",
        "at": "2026-11-27T10:02:11+08:00",
        "outcome": "",
        "by_staff": False,
        "reasons": [],
        "sources": [],
    },
    {
        "step": "CHECKED",
        "at": "2026-11-27T10:02:11+08:00",
        "outcome": "",
        "by_staff": False,
        "reasons": [],
        "sources": _SOURCE_EXAMPLES,
    },
    {
        "step": "DECIDED",
        "at": "2026-11-27T10:02:12+08:00",
        "outcome": "APPROVED",
        "by_staff": False,
        "reasons": [],
        "sources": [],
    },
    {
        "step": "PAID",
        "at": "2026-11-27T10:02:40+08:00",
        "outcome": "PAID",
        "by_staff": False,
        "reasons": [],
        "sources": [],
    },
]
PAYOUT_EXAMPLE = {"status": "PAID", "amount": "4500.00", "interest": None}
_REJECTED_REASON = {
    "code": "OWNS_HOME_IN_CITY",
    "message": "不动产登记显示您在本市有住房，租房提取仅适用于本人及配偶在本市无房的职工。",
}


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="stable upper-case identifier, e.g. NOT_RETIRED")
    message = serializers.CharField(help_text="plain-language explanation in the request's language")


class TimelineEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    event = serializers.ChoiceField(choices=_EVENTS)
    outcome = serializers.ChoiceField(choices=_OUTCOME_CHOICES, allow_null=True)
    reasons = ReasonSerializer(many=True)


class PayoutSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["PENDING", "SENT", "PAID", "FAILED", "HELD"])
    amount = YuanField(allow_null=True)
    interest = YuanField(allow_null=True, help_text="interest to date, paid with a closing withdrawal")


class SourceCheckSerializer(serializers.Serializer):
    source = serializers.CharField()
    operation = serializers.CharField()
    outcome = serializers.CharField()
    latency_ms = serializers.IntegerField(allow_null=True)


class StepSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=["SUBMITTED", "CHECKED", "DECIDED", "HELD", "PAID"])
    at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.CharField(allow_blank=True)
    by_staff = serializers.BooleanField()
    reasons = ReasonSerializer(many=True)
    sources = SourceCheckSerializer(many=True)


def step_row(step) -> dict:
    return {
        "step": step.step,
        "at": step.at,
        "outcome": OUTCOMES.get(step.outcome, step.outcome) if step.step == "DECIDED" else step.outcome,
        "by_staff": step.by_staff,
        "reasons": list(step.reasons),
        "sources": [
            {
                "source": check.source,
                "operation": check.operation,
                "outcome": check.outcome,
                "latency_ms": check.latency_ms,
            }
            for check in step.sources
        ],
    }


def payout_of(steps) -> dict | None:
    """The payout's status and amounts from a withdrawal's steps (None before approval)."""
    paid = next((step for step in steps if step.step in ("PAID", "HELD")), None)
    if paid is None:
        return None
    return {
        "status": "HELD" if paid.step == "HELD" else paid.outcome,
        "amount": paid.amount,
        "interest": paid.interest,
    }


class ApplicationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    reason = serializers.CharField()
    status = serializers.ChoiceField(choices=ApplicationStatus.choices)
    channel = serializers.ChoiceField(choices=Channel.choices)
    submitted_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    due_on = serializers.DateField(help_text="legal decision deadline (working days)")
    timeline = TimelineEventSerializer(many=True)
    steps = StepSerializer(
        many=True,
        required=False,
        help_text="withdrawals: submitted → checked (each source) → decided → held or paid",
    )
    payout = PayoutSerializer(allow_null=True, required=False, help_text="withdrawals: the payment")


def _application_row(timeline, withdrawal_steps: dict) -> dict:
    application = timeline.application
    extra = {}
    if application.kind == "withdrawal":
        steps = withdrawal_steps[application.pk]
        extra = {"steps": [step_row(step) for step in steps], "payout": payout_of(steps)}
    return {
        "id": application.pk,
        "kind": application.kind,
        "reason": application.reason,
        "status": application.status,
        "channel": application.channel,
        "submitted_at": application.submitted_at,
        "decided_at": application.decided_at,
        "due_on": application.due_on,
        "timeline": [
            {
                "at": event.at,
                "event": event.what,
                "outcome": OUTCOMES.get(event.outcome) if event.outcome else None,
                "reasons": localized_reasons(event.reasons, language=get_language()),
            }
            for event in timeline.events
        ],
        **extra,
    }


class MyApplicationsView(APIView):
    @extend_schema(
        responses=ApplicationSerializer(many=True),
        description="The employee's applications, newest first, each with its timeline.",
        examples=[
            OpenApiExample(
                "A rent withdrawal approved in seconds and paid",
                value={
                    "id": 3107,
                    "kind": "withdrawal",
                    "reason": "RENT",
                    "status": "APPROVED",
                    "channel": "APP",
                    "submitted_at": "2026-11-27T10:02:11+08:00",
                    "decided_at": "2026-11-27T10:02:12+08:00",
                    "due_on": "2026-12-04",
                    "timeline": [
                        {
                            "at": "2026-11-27T10:02:11+08:00",
                            "event": "SUBMITTED",
                            "outcome": None,
                            "reasons": [],
                        },
                        {
                            "at": "2026-11-27T10:02:12+08:00",
                            "event": "DECIDED",
                            "outcome": "APPROVED",
                            "reasons": [],
                        },
                    ],
                    "steps": STEP_EXAMPLES,
                    "payout": PAYOUT_EXAMPLE,
                },
                response_only=True,
            ),
        ],
    )
    def get(self, request):
        timelines = applications_of(_person_of(request))
        withdrawal_steps = withdrawal_timelines(
            [t.application for t in timelines if t.application.kind == "withdrawal"], language=get_language()
        )
        rows = [_application_row(t, withdrawal_steps) for t in timelines]
        return Response(ApplicationSerializer(rows, many=True).data)


class EligibilityRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=40, help_text="withdrawal reason, e.g. RETIREMENT, RENT, LEAVING_CITY (CONTRACT.md)"
    )


class EligibilitySerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=_OUTCOME_CHOICES, help_text="what an application would get now")
    reasons = ReasonSerializer(
        many=True, help_text="why it would be rejected or referred; empty when approved"
    )
    max_amount = YuanField(allow_null=True, help_text="largest amount the rules allow, when they fix one")
    decision_ms = serializers.IntegerField()


class MyEligibilityView(APIView):
    @extend_schema(
        request=EligibilityRequestSerializer,
        responses={200: EligibilitySerializer, 400: ErrorSerializer},
        description="Would an application for `reason` be decided in seconds now, and for how much? "
        "Nothing is filed.",
        examples=[
            OpenApiExample("Rent", value={"reason": "RENT"}, request_only=True),
            OpenApiExample(
                "Would be approved",
                value={"outcome": "APPROVED", "reasons": [], "max_amount": "4500.00", "decision_ms": 212},
                response_only=True,
            ),
            OpenApiExample(
                "Would be rejected",
                value={
                    "outcome": "REJECTED",
                    "reasons": [_REJECTED_REASON],
                    "max_amount": None,
                    "decision_ms": 187,
                },
                response_only=True,
            ),
        ],
        parameters=[
            OpenApiParameter(
                CHANNEL_HEADER,
                str,
                OpenApiParameter.HEADER,
                enum=Channel.values,
                description='the channel asking (default "API")',
            )
        ],
    )
    def post(self, request):
        person = _person_of(request)
        body = EligibilityRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        decision = check_eligibility(
            reason=body.validated_data["reason"],
            person=person,
            channel=request.headers.get(CHANNEL_HEADER) or Channel.API,
            actor=request.user,
        )
        return Response(
            EligibilitySerializer(
                {
                    "outcome": OUTCOMES[decision.outcome],
                    "reasons": explained_reasons(decision, language=get_language()),
                    "max_amount": decision.amount_limit,
                    "decision_ms": decision.decision_ms,
                }
            ).data
        )
