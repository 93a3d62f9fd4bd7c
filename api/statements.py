"""``/me/statement`` and ``/me/statement/yearly``: the logged-in employee's own statement and yearly summary.

A statement covers business dates ``from``–``to`` (default: this year to today; never after today,
at most 20 years); ``format=json`` (default) answers with the movements and totals, ``csv``,
``xlsx`` and ``pdf`` with the file, each download recorded in the audit trail. Nobody else's
statement can be asked for: there is no account in the path, only the caller's own. Callers
without a fund account of their own (employer operators, staff) get 403.
"""

from datetime import date

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.statement_documents import CONTENT_TYPES, FORMATS, download_statement
from accounts.statements import fund_account_of, fund_statement, statement_range, yearly_summary
from api.applications import _person_of
from api.deposits import _FormatNamesTheFile
from api.errors import ErrorSerializer
from api.fields import YuanField, query_data

JSON = "json"


class StatementQuerySerializer(serializers.Serializer):
    def get_fields(self):
        # "from" is a Python keyword, so the fields cannot be declared as attributes.
        return {
            "from": serializers.DateField(required=False),
            "to": serializers.DateField(required=False),
            "format": serializers.ChoiceField(choices=(JSON, *FORMATS), default=JSON),
        }


class StatementLineSerializer(serializers.Serializer):
    posted_on = serializers.DateField(help_text="the business date")
    business_type = serializers.CharField(help_text="业务类型 code, JGJ/T 320-2014 (01 汇缴 … 15 解冻)")
    business_type_label = serializers.CharField()
    credit = YuanField(help_text="money in; 0.00 when the movement took money out")
    debit = YuanField(help_text="money out; 0.00 when the movement put money in")
    amount = YuanField(help_text="signed: credit − debit")
    balance_after = YuanField()
    memo = serializers.CharField()
    reversal = serializers.BooleanField(help_text="a reversing entry (冲正) of an earlier movement")


class TypeTotalSerializer(serializers.Serializer):
    business_type = serializers.CharField()
    business_type_label = serializers.CharField()
    credit = YuanField()
    debit = YuanField()


class StatementSerializer(serializers.Serializer):
    account_no = serializers.CharField()
    date_from = serializers.DateField(help_text="first business date (inclusive)")
    date_to = serializers.DateField(help_text="last business date (inclusive)")
    opening_balance = YuanField(help_text="the balance at the end of the day before date_from")
    total_credit = YuanField()
    total_debit = YuanField()
    closing_balance = YuanField(help_text="opening_balance + total_credit − total_debit")
    totals = TypeTotalSerializer(many=True, help_text="by business type")
    movements = StatementLineSerializer(many=True, source="lines")


class YearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    date_from = serializers.DateField()
    date_to = serializers.DateField(help_text="31 December, or today for the current year")
    opening_balance = YuanField()
    deposits = YuanField(help_text="01 汇缴 and 02 补缴")
    interest = YuanField(help_text="09 结息")
    withdrawals = YuanField(help_text="11 and 12, except loan repayments")
    transfers_in = YuanField(help_text="08 外部转入 and 06 内部转移 into the account")
    transfers_out = YuanField(help_text="07 外部转出 and 06 内部转移 out of the account")
    loan = YuanField(help_text="withdrawals that repay a housing fund loan")
    other = YuanField(help_text="any other business type (normally 0.00)")
    closing_balance = YuanField()


_STATEMENT_EXAMPLE = {
    "account_no": "350200012345",
    "date_from": "2026-01-01",
    "date_to": "2026-11-27",
    "opening_balance": "52000.00",
    "total_credit": "2496.00",
    "total_debit": "1800.00",
    "closing_balance": "52696.00",
    "totals": [
        {"business_type": "01", "business_type_label": "汇缴", "credit": "2400.00", "debit": "0.00"},
        {"business_type": "09", "business_type_label": "年终结息", "credit": "96.00", "debit": "0.00"},
        {"business_type": "11", "business_type_label": "部分提取", "credit": "0.00", "debit": "1800.00"},
    ],
    "movements": [
        {
            "posted_on": "2026-01-15",
            "business_type": "01",
            "business_type_label": "汇缴",
            "credit": "2400.00",
            "debit": "0.00",
            "amount": "2400.00",
            "balance_after": "54400.00",
            "memo": "汇缴 2026-01",
            "reversal": False,
        },
    ],
}


class MyStatementView(APIView):
    renderer_classes = (JSONRenderer,)
    content_negotiation_class = _FormatNamesTheFile

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "from", date, description="first business date; default 1 January of `to`'s year"
            ),
            OpenApiParameter("to", date, description="last business date; default today; not after today"),
            OpenApiParameter("format", str, enum=[JSON, *FORMATS], description="default json"),
        ],
        responses={
            (200, "application/json"): StatementSerializer,
            (200, CONTENT_TYPES["csv"]): OpenApiTypes.BINARY,
            (200, CONTENT_TYPES["xlsx"]): OpenApiTypes.BINARY,
            (200, CONTENT_TYPES["pdf"]): OpenApiTypes.BINARY,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
        examples=[
            OpenApiExample("a statement of this year", value=_STATEMENT_EXAMPLE, response_only=True),
            OpenApiExample(
                "a range that ends after today",
                value={
                    "code": "DATE_IN_FUTURE",
                    "detail": "截止日期不能晚于今天（2026-11-27）。",
                    "errors": [
                        {
                            "field": "to",
                            "code": "DATE_IN_FUTURE",
                            "message": "截止日期不能晚于今天（2026-11-27）。",
                        }
                    ],
                },
                response_only=True,
                status_codes=["400"],
            ),
        ],
        description=(
            "The caller's own statement: opening balance, every movement with the balance after it, "
            "totals by business type and the closing balance. Refusals (400): DATE_IN_FUTURE, "
            "START_AFTER_END, RANGE_TOO_LONG (more than 20 years), VALIDATION_ERROR; 404 "
            "NO_FUND_ACCOUNT. A csv, xlsx or pdf download is recorded in the audit trail."
        ),
    )
    def get(self, request):
        person = _person_of(request)
        query = StatementQuerySerializer(data=query_data(request))
        query.is_valid(raise_exception=True)
        date_from, date_to = statement_range(
            date_from=query.validated_data.get("from"),
            date_to=query.validated_data.get("to"),
            today=timezone.localdate(),
        )
        account = fund_account_of(person)
        statement = fund_statement(account, date_from=date_from, date_to=date_to)
        fmt = query.validated_data["format"]
        if fmt == JSON:
            return Response(StatementSerializer(statement).data)
        file = download_statement(account=account, statement=statement, fmt=fmt, actor=request.user)
        response = HttpResponse(file.content, content_type=file.content_type)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=file.filename
        )
        # It names the person and every movement: no shared cache may keep it.
        response["Cache-Control"] = "private, no-store"
        return response


class MyYearlySummaryView(APIView):
    @extend_schema(
        responses={200: YearSerializer(many=True), 403: ErrorSerializer, 404: ErrorSerializer},
        examples=[
            OpenApiExample(
                "one year",
                value={
                    "year": 2025,
                    "date_from": "2025-01-01",
                    "date_to": "2025-12-31",
                    "opening_balance": "24000.00",
                    "deposits": "28800.00",
                    "interest": "540.00",
                    "withdrawals": "0.00",
                    "transfers_in": "0.00",
                    "transfers_out": "0.00",
                    "loan": "1340.00",
                    "other": "0.00",
                    "closing_balance": "52000.00",
                },
                response_only=True,
            )
        ],
        description=(
            "Each calendar year of the caller's account, oldest first, the current year to today: "
            "opening_balance + deposits + interest + transfers_in + other − withdrawals − "
            "transfers_out − loan = closing_balance."
        ),
    )
    def get(self, request):
        account = fund_account_of(_person_of(request))
        years = yearly_summary(account, today=timezone.localdate())
        return Response(YearSerializer(years, many=True).data)
