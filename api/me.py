"""``/me/…``: the logged-in employee's own account, statement and preferences."""

from datetime import date

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Language
from accounts.overview import statement_of
from accounts.selectors import account_summary
from accounts.services import set_language
from api.errors import ErrorSerializer
from api.fields import YuanField, query_data


class AccountSerializer(serializers.Serializer):
    account_no = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    balance = YuanField()
    monthly_deposit = YuanField()
    employer_part = YuanField()
    employee_part = YuanField()
    employer = serializers.CharField(source="employer_name", allow_null=True)
    paid_up_to = serializers.DateField(allow_null=True)
    sealed_on = serializers.DateField(allow_null=True)


class MovementSerializer(serializers.Serializer):
    posted_on = serializers.DateField()
    business_type = serializers.CharField()
    business_type_label = serializers.CharField()
    amount = YuanField()
    balance_after = YuanField()
    memo = serializers.CharField()


class MovementQuerySerializer(serializers.Serializer):
    def get_fields(self):
        # "from" is a Python keyword, so the fields cannot be declared as attributes.
        return {"from": serializers.DateField(required=False), "to": serializers.DateField(required=False)}

    def validate(self, attrs):
        start, end = attrs.get("from"), attrs.get("to")
        if start and end and start > end:
            raise serializers.ValidationError({"from": _("The start date is after the end date.")})
        return attrs


def _person_of(request):
    person = getattr(request.user, "person", None)
    if person is None:
        raise PermissionDenied(_("Only employees have a fund account."))
    return person


class MyAccountView(APIView):
    @extend_schema(
        responses=AccountSerializer,
        description="The employee's fund account: balance, status, monthly deposit and its two parts.",
        examples=[
            OpenApiExample(
                "A normal account",
                value={
                    "account_no": "350200123452",
                    "status": "01",
                    "status_label": "正常",
                    "balance": "56800.00",
                    "monthly_deposit": "2400.00",
                    "employer_part": "1200.00",
                    "employee_part": "1200.00",
                    "employer": "厦门鹭江物流有限公司",
                    "paid_up_to": "2026-10-01",
                    "sealed_on": None,
                },
                response_only=True,
            ),
            OpenApiExample(
                "A sealed account",
                value={
                    "account_no": "350200123460",
                    "status": "02",
                    "status_label": "封存",
                    "balance": "31250.40",
                    "monthly_deposit": "0.00",
                    "employer_part": "0.00",
                    "employee_part": "0.00",
                    "employer": None,
                    "paid_up_to": "2026-03-01",
                    "sealed_on": "2026-04-15",
                },
                response_only=True,
            ),
        ],
    )
    def get(self, request):
        summary = account_summary(_person_of(request))
        if summary is None:
            raise NotFound(_("You have no fund account yet."))
        return Response(AccountSerializer(summary).data)


class MyMovementsView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("from", date, description="first business date (inclusive)"),
            OpenApiParameter("to", date, description="last business date (inclusive)"),
        ],
        responses={200: MovementSerializer(many=True), 400: ErrorSerializer, 403: ErrorSerializer},
        description="The account's movements in business-date order, each with the balance after it.",
        examples=[
            OpenApiExample(
                "A monthly deposit",
                value={
                    "posted_on": "2026-11-05",
                    "business_type": "01",
                    "business_type_label": "汇缴",
                    "amount": "2400.00",
                    "balance_after": "56800.00",
                    "memo": "汇缴 2026-10 35021000126 86 人",
                },
                response_only=True,
            ),
        ],
    )
    def get(self, request):
        person = _person_of(request)
        query = MovementQuerySerializer(data=query_data(request))
        query.is_valid(raise_exception=True)
        movements = statement_of(
            person, date_from=query.validated_data.get("from"), date_to=query.validated_data.get("to")
        )
        return Response(MovementSerializer(movements, many=True).data)


class PreferencesSerializer(serializers.Serializer):
    language = serializers.ChoiceField(
        choices=Language.choices,
        help_text="The language of the employee's in-portal messages and texts: zh-hans (the default) or en.",
    )


class MyPreferencesView(APIView):
    @extend_schema(
        summary="The employee's preferences",
        description="The language the portal writes the employee's messages and texts in.",
        responses=PreferencesSerializer,
        examples=[OpenApiExample("Messages in English", value={"language": "en"}, response_only=True)],
    )
    def get(self, request):
        return Response(PreferencesSerializer({"language": _person_of(request).language}).data)

    @extend_schema(
        summary="Change the employee's preferences",
        description=(
            "Set the language of the employee's in-portal messages and SMS texts (zh-hans or en). "
            "Messages written from then on are in that language; earlier ones stay as they were "
            "written. The language of the API's own answers still follows Accept-Language."
        ),
        request=PreferencesSerializer,
        responses={200: PreferencesSerializer, 400: ErrorSerializer},
        examples=[
            OpenApiExample("Switch to English", value={"language": "en"}, request_only=True),
            OpenApiExample("Now in English", value={"language": "en"}, response_only=True),
        ],
    )
    def patch(self, request):
        person = _person_of(request)
        data = PreferencesSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if "language" in data.validated_data:
            person = set_language(person=person, language=data.validated_data["language"], actor=request.user)
        return Response(PreferencesSerializer({"language": person.language}).data)
