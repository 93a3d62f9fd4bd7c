"""The 12329 channels' endpoints: ``POST /hotline/sms`` (the SMS gateway posts each text a citizen
sends) and ``POST /hotline/ivr`` (the telephony system reports each key a caller presses).

Neither is called by a person: each caller signs its requests with its shared secret
(``hotline.signature``, docs/hotline.md), and an unsigned, stale or wrongly signed request is a
403 ``SIGNATURE_INVALID`` before anything is read.
"""

import time

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import ErrorSerializer
from hotline import ivr, sms
from hotline.ivr import LANGUAGES
from hotline.models import CallState, InboundOutcome
from hotline.signature import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature_ok

_SIGNATURE_PARAMETERS = [
    OpenApiParameter(
        TIMESTAMP_HEADER,
        str,
        OpenApiParameter.HEADER,
        required=True,
        description="Unix time in seconds when the request was signed; refused when more than 5 minutes off",
    ),
    OpenApiParameter(
        SIGNATURE_HEADER,
        str,
        OpenApiParameter.HEADER,
        required=True,
        description="`sha256=` and the hex HMAC-SHA256 of `<timestamp>.<raw body>`, keyed with the "
        "shared secret",
    ),
]


class SignedWith(BasePermission):
    """The request carries a fresh signature made with the secret named by the view's ``secret_setting``."""

    def has_permission(self, request, view):
        if not signature_ok(
            secret=getattr(settings, view.secret_setting, ""),
            timestamp=request.headers.get(TIMESTAMP_HEADER),
            signature=request.headers.get(SIGNATURE_HEADER),
            body=request.body,
            now=time.time(),
            max_age_s=settings.HOTLINE_SIGNATURE_MAX_AGE_S,
        ):
            raise PermissionDenied(
                _("The request's signature is missing, out of date or wrong."), code="SIGNATURE_INVALID"
            )
        return True


class _SignedView(APIView):
    authentication_classes = ()
    permission_classes = (SignedWith,)
    # The gateway and the telephony system post for every citizen at once: the per-number and
    # per-call limits are in hotline, not a per-client rate here.
    throttle_classes = ()


class InboundSmsSerializer(serializers.Serializer):
    def get_fields(self):
        # "from" is a Python keyword, so the fields cannot be declared as attributes.
        return {
            "message_id": serializers.CharField(max_length=64, help_text="the gateway's id of the message"),
            "from": serializers.CharField(
                max_length=20, help_text="the sender's mobile, e.g. 13812345678 or +8613812345678"
            ),
            "text": serializers.CharField(max_length=500, allow_blank=True, trim_whitespace=False),
            "received_at": serializers.DateTimeField(),
        }


@extend_schema_field({"type": "string", "enum": InboundOutcome.values}, component_name="HotlineSmsOutcome")
class SmsOutcomeField(serializers.CharField):
    """An ``InboundOutcome``, named apart from the decisions' ``outcome`` in the schema."""


class SmsReceiptSerializer(serializers.Serializer):
    message_id = serializers.CharField()
    outcome = SmsOutcomeField(
        help_text="ANSWERED: the person's data; GENERIC: the help text only; LIMITED: no answer"
    )
    replied = serializers.BooleanField(help_text="an answer is on its way to the sender")
    duplicate = serializers.BooleanField(help_text="this message id was posted before: nothing more is sent")


class SmsWebhookView(_SignedView):
    secret_setting = "SMS_WEBHOOK_SECRET"

    @extend_schema(
        auth=[],
        tags=["hotline"],
        parameters=_SIGNATURE_PARAMETERS,
        request=InboundSmsSerializer,
        responses={200: SmsReceiptSerializer, 400: ErrorSerializer, 403: ErrorSerializer},
        description="The 12329 SMS gateway posts each text a citizen sends to 12329. A keyword "
        "(YE/余额/BALANCE, "
        "JC/缴存/DEPOSIT, JD/进度/PROGRESS, BZ/帮助/HELP; any case or width) from the mobile of exactly one "
        "registered person is answered with their balance, last deposit or application progress; anything "
        "else, and any text from a number that is nobody's or several people's, gets the help text only. "
        "The answer is texted back through the gateway, not returned here. The same `message_id` again "
        "(a retry) sends nothing more. More than 10 texts an hour from one number are not answered.",
        examples=[
            OpenApiExample(
                "a balance query",
                value={
                    "message_id": "GW20261127000123",
                    "from": "13812345678",
                    "text": "YE",
                    "received_at": "2026-11-27T09:30:00+08:00",
                },
                request_only=True,
            ),
            OpenApiExample(
                "answered",
                value={
                    "message_id": "GW20261127000123",
                    "outcome": "ANSWERED",
                    "replied": True,
                    "duplicate": False,
                },
                response_only=True,
            ),
        ],
    )
    def post(self, request):
        body = InboundSmsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        receipt = sms.receive_sms(
            message_id=data["message_id"],
            mobile=data["from"],
            text=data["text"],
            received_at=data["received_at"],
        )
        return Response(
            SmsReceiptSerializer(
                {
                    "message_id": receipt.message_id,
                    "outcome": receipt.outcome,
                    "replied": receipt.replied,
                    "duplicate": receipt.duplicate,
                }
            ).data
        )


class IvrRequestSerializer(serializers.Serializer):
    call_id = serializers.CharField(
        max_length=32, required=False, help_text="the call's id from the first answer; absent to start a call"
    )
    caller = serializers.CharField(
        max_length=20, required=False, allow_blank=True, help_text="starting: the calling number"
    )
    language = serializers.ChoiceField(
        choices=LANGUAGES,
        required=False,
        default="zh-hans",
        help_text="starting: the language the caller chose",
    )
    keys = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text="the keys pressed, e.g. an ID number with * for X, a code, or a menu choice; "
        "# at the end ignored",
    )


class OptionSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()


class CallStepSerializer(serializers.Serializer):
    call_id = serializers.CharField()
    state = serializers.ChoiceField(choices=CallState.values)
    prompt = serializers.CharField(help_text="what to speak, in the call's language")
    action = serializers.ChoiceField(
        choices=[ivr.COLLECT, ivr.TRANSFER, ivr.HANG_UP],
        help_text="after speaking: COLLECT keys and post them, TRANSFER to `transfer_to`, or HANG_UP",
    )
    expects = serializers.ChoiceField(
        choices=[ivr.ID_NUMBER, ivr.CODE, ivr.CHOICE],
        allow_null=True,
        help_text="what the keys to collect are",
    )
    options = OptionSerializer(many=True, help_text="the single keys the prompt offers")
    transfer_to = serializers.CharField(allow_blank=True, help_text="TRANSFER: the agent queue")
    expires_at = serializers.DateTimeField(help_text="the call ends if no keys come before this")


class IvrView(_SignedView):
    secret_setting = "IVR_WEBHOOK_SECRET"

    @extend_schema(
        auth=[],
        tags=["hotline"],
        parameters=_SIGNATURE_PARAMETERS,
        request=IvrRequestSerializer,
        responses={200: CallStepSerializer, 400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
        description="The 12329 telephony system drives the hotline menu: it starts a call with the "
        "caller's number "
        "(no `call_id`), speaks each `prompt`, collects keys and posts them with the `call_id`. The caller "
        "is verified by ID number and a 6-digit code texted to the mobile registered with it; three wrong "
        "attempts lock the call. Then 1 balance, 2 last deposit, 3 application progress, 9 again, 0 an "
        "agent. A call idle for 5 minutes is over.",
        examples=[
            OpenApiExample(
                "start a call",
                value={"caller": "13812345678", "language": "zh-hans"},
                request_only=True,
            ),
            OpenApiExample(
                "choose the balance",
                value={"call_id": "9f2c4e0a7b1d4c3e8a6f5b2d1c0e9a8b", "keys": "1"},
                request_only=True,
            ),
            OpenApiExample(
                "the balance, then the menu",
                value={
                    "call_id": "9f2c4e0a7b1d4c3e8a6f5b2d1c0e9a8b",
                    "state": "MENU",
                    "prompt": "您的公积金账户（尾号0123）余额56800.00元，账户状态：正常。查询余额请按1，……",
                    "action": "COLLECT",
                    "expects": "CHOICE",
                    "options": [
                        {"key": "1", "label": "余额"},
                        {"key": "2", "label": "最近缴存"},
                        {"key": "3", "label": "申请进度"},
                        {"key": "9", "label": "重听"},
                        {"key": "0", "label": "人工服务"},
                    ],
                    "transfer_to": "",
                    "expires_at": "2026-11-27T09:35:00+08:00",
                },
                response_only=True,
            ),
        ],
    )
    def post(self, request):
        body = IvrRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if data.get("call_id"):
            step = ivr.press(call_id=data["call_id"], keys=data.get("keys", ""))
        else:
            step = ivr.start_call(caller=data.get("caller", ""), language=data["language"])
        return Response(
            CallStepSerializer(
                {
                    "call_id": step.call_id,
                    "state": step.state,
                    "prompt": step.prompt,
                    "action": step.action,
                    "expects": step.expects,
                    "options": [{"key": o.key, "label": o.label} for o in step.options],
                    "transfer_to": step.transfer_to,
                    "expires_at": step.expires_at,
                }
            ).data
        )
