"""``/me/card``: the employee's payout card — read it, or register a new one that the payment bank
confirms at once is in their own name, as the hall's card page does (withdrawals are paid to it)."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.cards import register_payout_card
from accounts.selectors import payout_card
from api.applications import _person_of
from api.errors import ErrorSerializer

_CARD_EXAMPLE = {"card": "6222 **** **** 0128", "verified": True}


class PayoutCardSerializer(serializers.Serializer):
    card = serializers.CharField(
        allow_null=True,
        help_text="the card withdrawals are paid to, masked; null until the bank confirmed one",
    )
    verified = serializers.BooleanField(help_text="the bank confirmed the card is in the caller's own name")


class PayoutCardRequestSerializer(serializers.Serializer):
    card_number = serializers.CharField(max_length=23, help_text="15 to 19 digits; spaces are ignored")


def _card_body(person) -> dict:
    card = payout_card(person)
    return {"card": card, "verified": card is not None}


def _refusal(code: str, message: str) -> dict:
    return {"code": code, "detail": message, "errors": []}


class MyCardView(APIView):
    @extend_schema(
        responses={200: PayoutCardSerializer, 403: ErrorSerializer},
        examples=[
            OpenApiExample("a confirmed card", value=_CARD_EXAMPLE, response_only=True),
            OpenApiExample("no card yet", value={"card": None, "verified": False}, response_only=True),
        ],
        description="The caller's payout card, masked, once the bank confirmed it is in their own name; "
        "withdrawals are paid to it. The bank's name is not recorded: the card number alone is checked. "
        "Employees only (403).",
    )
    def get(self, request):
        return Response(PayoutCardSerializer(_card_body(_person_of(request))).data)

    @extend_schema(
        request=PayoutCardRequestSerializer,
        responses={
            200: PayoutCardSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
            503: ErrorSerializer,
        },
        examples=[
            OpenApiExample("a card", value={"card_number": "6222 0212 3456 7890 128"}, request_only=True),
            OpenApiExample("confirmed by the bank", value=_CARD_EXAMPLE, response_only=True),
            OpenApiExample(
                "not in the caller's name",
                value=_refusal("CARD_NAME_MISMATCH", "银行核验此卡不在您名下：提取款只支付到本人银行卡。"),
                response_only=True,
                status_codes=["400"],
            ),
        ],
        description="Register the caller's payout card. The payment bank checks at once that the card "
        "exists, is in the caller's own name and is not frozen; only then is it recorded (and replaces "
        "the card before). Refusals (400): INVALID_BANK_CARD, CARD_NOT_FOUND, CARD_NAME_MISMATCH, "
        "CARD_FROZEN; 503 CARD_CHECK_UNAVAILABLE (the bank did not answer: the card on record is "
        "unchanged). Employees only (403).",
    )
    def put(self, request):
        person = _person_of(request)
        body = PayoutCardRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        person = register_payout_card(
            person=person, card_number=body.validated_data["card_number"], actor=request.user
        )
        return Response(PayoutCardSerializer(_card_body(person)).data)
