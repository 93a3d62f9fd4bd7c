"""``/loans/accounts``: the borrower's loan accounts — where each stands, its schedule and statement —
and repaying them: the collection mode, paying a due instalment now, prepaying part, settling all;
once settled, the loan-settled certificate as a PDF.

A loan account is visible to its borrower and co-borrower (anyone else: 404, as if it did not
exist); only the borrower acts on it (the services refuse others with NOT_BORROWER). Money is
a yuan string; every refusal is the API's error shape with the service's code.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from api.applications import _person_of
from api.errors import ErrorSerializer
from api.fields import YuanField
from core.exceptions import DomainError
from loans import loan_book
from loans.certificate import record_certificate_download, settled_certificate_pdf
from loans.collection import (
    LoanNotRepaying,
    NotBorrower,
    collect_instalment,
    is_borrower,
    set_collection_mode,
)
from loans.contract_terms import contract_no
from loans.disbursement import instalments_of
from loans.models import LoanAccount
from loans.prepayment import (
    RepaymentInProgress,
    prepay,
    quote_prepayment,
    quote_settlement,
    settle,
)
from loans.repayment_selectors import lent_accounts_of, loan_position, repayments_of, schedule_changes_of

#: Accounts whose money reached the seller: before that the loan application tells the story.


class NothingDue(DomainError):
    """Pay-now asked when no instalment is due today or late."""

    code = "NOTHING_DUE"
    http_status = 409


# Reading ----------------------------------------------------------------------------------------


def _visible_account(request, account_no: str) -> tuple[LoanAccount, str]:
    """The caller's account and their role on it; 404 for anyone else's, as for none at all."""
    person = _person_of(request)
    account = lent_accounts_of(person).filter(account_no=account_no).first()
    if account is None:
        raise NotFound(_("There is no such loan account of yours."))
    return account, _role(account, person)


def _role(account: LoanAccount, person) -> str:
    return "BORROWER" if account.application.applicant_id == person.pk else "CO_BORROWER"


def _rate(rate) -> str:
    return format(rate.normalize(), "f")


def _verify_url(request, code: str) -> str:
    return request.build_absolute_uri(reverse("web:seal", args=[code]))


class LoanAccountSerializer(serializers.Serializer):
    account_no = serializers.CharField()
    status = serializers.CharField(help_text="ACTIVE (repaying) or SETTLED")
    role = serializers.CharField(help_text="the caller's: BORROWER or CO_BORROWER")
    loan_application_id = serializers.IntegerField()
    contract_no = serializers.CharField()
    principal = YuanField(help_text="the amount lent")
    annual_rate = serializers.CharField(help_text='a fraction as text, "0.026" is 2.6 %')
    term_months = serializers.IntegerField()
    repayment_method = serializers.CharField(help_text="EQUAL_INSTALMENT or EQUAL_PRINCIPAL")
    repayment_day = serializers.IntegerField(help_text="day of the month instalments fall due")
    opened_on = serializers.DateField(help_text="disbursement date")
    first_due_on = serializers.DateField()
    collection_mode = serializers.CharField(help_text="BANK_DEBIT or FUND_OFFSET")
    settled_on = serializers.DateField(allow_null=True)


def account_row(account: LoanAccount, role: str) -> dict:
    return {
        "account_no": account.account_no,
        "status": account.status,
        "role": role,
        "loan_application_id": account.application_id,
        "contract_no": contract_no(account.application),
        "principal": account.principal,
        "annual_rate": _rate(account.annual_rate),
        "term_months": account.term_months,
        "repayment_method": account.repayment_method,
        "repayment_day": account.repayment_day,
        "opened_on": account.opened_on,
        "first_due_on": account.first_due_on,
        "collection_mode": account.collection_mode,
        "settled_on": account.settled_on,
    }


class LoanAccountSummarySerializer(LoanAccountSerializer):
    outstanding = YuanField(help_text="principal still owed")
    next_due_on = serializers.DateField(allow_null=True)
    next_payment = YuanField(allow_null=True)
    overdue_total = YuanField(help_text="late instalments with their penalty to date")
    settlement_certificate_code = serializers.CharField(
        allow_null=True, help_text="the loan-settled certificate's verification code, once SETTLED"
    )


def summary_row(account: LoanAccount, role: str) -> dict:
    position = loan_position(account)
    following = position.next_instalment
    return {
        **account_row(account, role),
        "outstanding": position.outstanding,
        "next_due_on": following.due_on if following is not None else None,
        "next_payment": following.payment if following is not None else None,
        "overdue_total": position.overdue_total,
        "settlement_certificate_code": account.settlement_seal.code if account.settlement_seal_id else None,
    }


class LoanInstalmentSerializer(serializers.Serializer):
    period = serializers.IntegerField()
    due_on = serializers.DateField()
    payment = YuanField()
    principal = YuanField()
    interest = YuanField()
    remaining = YuanField(help_text="principal left after this instalment")
    status = serializers.CharField(help_text="DUE, OVERDUE or PAID")
    paid_on = serializers.DateField(allow_null=True)
    penalty = YuanField(help_text="overdue penalty paid with it")


def instalment_row(row) -> dict:
    return {
        "period": row.period,
        "due_on": row.due_on,
        "payment": row.payment,
        "principal": row.principal,
        "interest": row.interest,
        "remaining": row.remaining,
        "status": row.status,
        "paid_on": row.paid_on,
        "penalty": row.penalty,
    }


class LoanOverdueInstalmentSerializer(serializers.Serializer):
    period = serializers.IntegerField()
    due_on = serializers.DateField()
    payment = YuanField()
    days = serializers.IntegerField(help_text="days late today")
    penalty = YuanField(help_text="penalty if paid today; it grows by the day")
    total = YuanField()


class LoanRepaymentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="INSTALMENT, PREPAYMENT or SETTLEMENT")
    channel = serializers.CharField(help_text="BANK_DEBIT or FUND_OFFSET")
    movement = serializers.CharField(help_text="loan movement code (DOMAIN.md §2): 02 … 06")
    status = serializers.CharField(help_text="COLLECTING, SUCCEEDED or FAILED")
    amount = YuanField()
    principal = YuanField()
    interest = YuanField()
    penalty = YuanField()
    instalment_period = serializers.IntegerField(allow_null=True)
    option = serializers.CharField(allow_blank=True, help_text="a prepayment's SHORTEN_TERM or LOWER_PAYMENT")
    reference = serializers.CharField()
    failure_code = serializers.CharField(allow_blank=True)
    requested_at = serializers.DateTimeField()
    received_on = serializers.DateField(allow_null=True)


def repayment_row(repayment) -> dict:
    return {
        "id": repayment.pk,
        "kind": repayment.kind,
        "channel": repayment.channel,
        "movement": repayment.movement,
        "status": repayment.status,
        "amount": repayment.amount,
        "principal": repayment.principal,
        "interest": repayment.interest,
        "penalty": repayment.penalty,
        "instalment_period": repayment.instalment.period if repayment.instalment_id else None,
        "option": repayment.option,
        "reference": repayment.order_ref,
        "failure_code": repayment.failure_code,
        "requested_at": repayment.created_at,
        "received_on": repayment.settled_on,
    }


class LoanPositionSerializer(serializers.Serializer):
    today = serializers.DateField()
    outstanding = YuanField(help_text="principal still owed")
    months_left = serializers.IntegerField(help_text="instalments left to pay, overdue ones included")
    next_instalment = LoanInstalmentSerializer(allow_null=True, help_text="the first not yet late")
    overdue = LoanOverdueInstalmentSerializer(many=True)
    overdue_total = YuanField()
    in_flight = LoanRepaymentSerializer(allow_null=True, help_text="a bank debit being collected")
    may_pay_now = serializers.BooleanField()
    may_prepay_or_settle = serializers.BooleanField()


def position_row(position) -> dict:
    return {
        "today": position.today,
        "outstanding": position.outstanding,
        "months_left": position.months_left,
        "next_instalment": instalment_row(position.next_instalment)
        if position.next_instalment is not None
        else None,
        "overdue": [
            {
                "period": late.instalment.period,
                "due_on": late.instalment.due_on,
                "payment": late.instalment.payment,
                "days": late.days,
                "penalty": late.penalty,
                "total": late.total,
            }
            for late in position.overdue
        ],
        "overdue_total": position.overdue_total,
        "in_flight": repayment_row(position.in_flight) if position.in_flight is not None else None,
        "may_pay_now": position.may_pay_now,
        "may_prepay_or_settle": position.may_prepay_or_settle,
    }


class LoanScheduleChangeSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="PREPAYMENT, REPRICING or SETTLEMENT")
    effective_on = serializers.DateField()
    repayment_id = serializers.IntegerField(allow_null=True)
    old_rate = serializers.CharField()
    new_rate = serializers.CharField()
    old_months = serializers.IntegerField()
    new_months = serializers.IntegerField()
    old_payment = YuanField()
    new_payment = YuanField()
    interest_saved = YuanField(help_text="negative when a rate rose")


def change_row(change) -> dict:
    return {
        "kind": change.kind,
        "effective_on": change.effective_on,
        "repayment_id": change.repayment_id,
        "old_rate": _rate(change.old_rate),
        "new_rate": _rate(change.new_rate),
        "old_months": change.old_months,
        "new_months": change.new_months,
        "old_payment": change.old_payment,
        "new_payment": change.new_payment,
        "interest_saved": change.interest_change,
    }


class LoanSettledCertificateSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="verification code printed on the certificate")
    verify_url = serializers.URLField(help_text="the public page that checks it")
    sealed_at = serializers.DateTimeField()


class LoanAccountDetailSerializer(serializers.Serializer):
    account = LoanAccountSerializer()
    position = LoanPositionSerializer()
    schedule = LoanInstalmentSerializer(many=True, help_text="the schedule in force")
    repayments = LoanRepaymentSerializer(many=True, help_text="newest first")
    schedule_changes = LoanScheduleChangeSerializer(many=True, help_text="newest first")
    settlement_certificate = LoanSettledCertificateSerializer(allow_null=True)


def detail_row(request, account: LoanAccount, role: str) -> dict:
    seal = account.settlement_seal if account.settlement_seal_id else None
    return {
        "account": account_row(account, role),
        "position": position_row(loan_position(account)),
        "schedule": [instalment_row(row) for row in instalments_of(account)],
        "repayments": [repayment_row(row) for row in repayments_of(account)],
        "schedule_changes": [change_row(row) for row in schedule_changes_of(account)],
        "settlement_certificate": {
            "code": seal.code,
            "verify_url": _verify_url(request, seal.code),
            "sealed_at": seal.signed_at,
        }
        if seal is not None
        else None,
    }


class LoanRepaymentResultSerializer(serializers.Serializer):
    repayment = LoanRepaymentSerializer()
    account = LoanAccountSummarySerializer(help_text="the account after it")


def _result(account_id: int, role: str, repayment):
    account = _accounts_of_any().get(pk=account_id)
    return LoanRepaymentResultSerializer(
        {"repayment": repayment_row(repayment), "account": summary_row(account, role)}
    ).data


def _accounts_of_any():
    return LoanAccount.objects.select_related("application", "ledger_account", "settlement_seal")


# Examples ---------------------------------------------------------------------------------------

_ACCOUNT_EXAMPLE = {
    "account_no": "DK2026011000000042",
    "status": "ACTIVE",
    "role": "BORROWER",
    "loan_application_id": 42,
    "contract_no": "JK2026010800000042",
    "principal": "120000.00",
    "annual_rate": "0.026",
    "term_months": 120,
    "repayment_method": "EQUAL_INSTALMENT",
    "repayment_day": 10,
    "opened_on": "2026-01-10",
    "first_due_on": "2026-02-10",
    "collection_mode": "FUND_OFFSET",
    "settled_on": None,
}
_SUMMARY_EXAMPLE = {
    **_ACCOUNT_EXAMPLE,
    "outstanding": "119123.30",
    "next_due_on": "2026-03-10",
    "next_payment": "1136.70",
    "overdue_total": "0.00",
    "settlement_certificate_code": None,
}
_REPAYMENT_EXAMPLE = {
    "id": 7,
    "kind": "INSTALMENT",
    "channel": "FUND_OFFSET",
    "movement": "05",
    "status": "SUCCEEDED",
    "amount": "1136.70",
    "principal": "876.70",
    "interest": "260.00",
    "penalty": "0.00",
    "instalment_period": 1,
    "option": "",
    "reference": "loan-repay:42:p1:20260210:fund",
    "failure_code": "",
    "requested_at": "2026-02-10T05:30:00+08:00",
    "received_on": "2026-02-10",
}
_PREPAYMENT_QUOTE_EXAMPLE = {
    "on": "2026-01-25",
    "prepaid": "50000.00",
    "interest": "54.17",
    "total": "50054.17",
    "interest_since": "2026-01-10",
    "next_due_on": "2026-02-10",
    "outstanding": "120000.00",
    "before": {"months": 120, "first_payment": "1136.70", "total_interest": "16404.56"},
    "options": [
        {
            "option": "SHORTEN_TERM",
            "months": 67,
            "first_payment": "1123.57",
            "ends_on": "2031-08-10",
            "total_interest": "5279.40",
            "interest_saved": "11125.16",
        },
        {
            "option": "LOWER_PAYMENT",
            "months": 120,
            "first_payment": "663.08",
            "ends_on": "2036-01-10",
            "total_interest": "9569.23",
            "interest_saved": "6835.33",
        },
    ],
}
_DETAIL_EXAMPLE = {
    "account": {**_ACCOUNT_EXAMPLE},
    "position": {
        "today": "2026-02-20",
        "outstanding": "119123.30",
        "months_left": 119,
        "next_instalment": {
            "period": 2,
            "due_on": "2026-03-10",
            "payment": "1136.70",
            "principal": "878.60",
            "interest": "258.10",
            "remaining": "118244.70",
            "status": "DUE",
            "paid_on": None,
            "penalty": "0.00",
        },
        "overdue": [],
        "overdue_total": "0.00",
        "in_flight": None,
        "may_pay_now": False,
        "may_prepay_or_settle": True,
    },
    "schedule": [
        {
            "period": 1,
            "due_on": "2026-02-10",
            "payment": "1136.70",
            "principal": "876.70",
            "interest": "260.00",
            "remaining": "119123.30",
            "status": "PAID",
            "paid_on": "2026-02-10",
            "penalty": "0.00",
        },
        {
            "period": 2,
            "due_on": "2026-03-10",
            "payment": "1136.70",
            "principal": "878.60",
            "interest": "258.10",
            "remaining": "118244.70",
            "status": "DUE",
            "paid_on": None,
            "penalty": "0.00",
        },
    ],
    "repayments": [_REPAYMENT_EXAMPLE],
    "schedule_changes": [],
    "settlement_certificate": None,
}
_SETTLEMENT_QUOTE_EXAMPLE = {
    "on": "2026-02-20",
    "principal": "119123.30",
    "interest": "86.03",
    "interest_since": "2026-02-10",
    "days": 10,
    "total": "119209.33",
}
_PREPAID_EXAMPLE = {
    "repayment": {
        **_REPAYMENT_EXAMPLE,
        "id": 8,
        "kind": "PREPAYMENT",
        "amount": "50054.17",
        "principal": "50000.00",
        "interest": "54.17",
        "instalment_period": None,
        "option": "SHORTEN_TERM",
        "reference": "loan-repay:42:prepay:20260125:fund",
        "requested_at": "2026-01-25T14:20:05+08:00",
        "received_on": "2026-01-25",
    },
    "account": {
        **_SUMMARY_EXAMPLE,
        "outstanding": "70000.00",
        "next_due_on": "2026-02-10",
        "next_payment": "1123.57",
    },
}
_SETTLED_EXAMPLE = {
    "repayment": {
        **_REPAYMENT_EXAMPLE,
        "id": 9,
        "kind": "SETTLEMENT",
        "movement": "06",
        "amount": "119209.33",
        "principal": "119123.30",
        "interest": "86.03",
        "instalment_period": None,
        "reference": "loan-repay:42:settle:20260220:fund",
        "requested_at": "2026-02-20T11:03:44+08:00",
        "received_on": "2026-02-20",
    },
    "account": {
        **_SUMMARY_EXAMPLE,
        "status": "SETTLED",
        "settled_on": "2026-02-20",
        "outstanding": "0.00",
        "next_due_on": None,
        "next_payment": None,
        "settlement_certificate_code": "7KQ2M9XC4RTA",
    },
}
_NOT_FOUND = "no such account of the caller's (another person's is 404 too)"
_ACT_RESPONSES = {
    201: LoanRepaymentResultSerializer,
    400: ErrorSerializer,
    403: ErrorSerializer,
    404: ErrorSerializer,
    409: ErrorSerializer,
}
_ACCOUNT_NO = OpenApiParameter(
    "account_no", str, OpenApiParameter.PATH, description="e.g. DK2026011000000042"
)


# Views ------------------------------------------------------------------------------------------


class LoanAccountsView(APIView):
    @extend_schema(
        responses={200: LoanAccountSummarySerializer(many=True), 403: ErrorSerializer},
        description="The caller's loan accounts once lent (repaying or settled), as borrower or co-borrower, "
        "newest first, with what is owed and what comes next.",
        examples=[OpenApiExample("One loan repaying", value=_SUMMARY_EXAMPLE, response_only=True)],
    )
    def get(self, request):
        person = _person_of(request)
        accounts = lent_accounts_of(person).order_by("-opened_on", "-pk")
        return Response(
            LoanAccountSummarySerializer([summary_row(a, _role(a, person)) for a in accounts], many=True).data
        )


class LoanAccountView(APIView):
    @extend_schema(
        parameters=[_ACCOUNT_NO],
        responses={200: LoanAccountDetailSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
        description="One loan account: its terms; where it stands today (principal owed, the next "
        "instalment, late ones with the penalty if paid today, a bank debit in flight); the schedule in "
        "force; every repayment; every schedule change; and, once settled, the loan-settled "
        f"certificate's verification code. 404: {_NOT_FOUND}.",
        examples=[
            OpenApiExample("Repaying, the first instalment paid", value=_DETAIL_EXAMPLE, response_only=True)
        ],
    )
    def get(self, request, account_no: str):
        account, role = _visible_account(request, account_no)
        return Response(LoanAccountDetailSerializer(detail_row(request, account, role)).data)


class CollectionModeRequestSerializer(serializers.Serializer):
    mode = serializers.CharField(help_text="BANK_DEBIT or FUND_OFFSET (委托按月还贷)")


class CollectionModeView(APIView):
    @extend_schema(
        parameters=[_ACCOUNT_NO],
        request=CollectionModeRequestSerializer,
        responses={
            200: LoanAccountSummarySerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
        description="The borrower chooses how instalments are collected from the next one on: BANK_DEBIT "
        "(the verified card) or FUND_OFFSET (from the fund account; a short month falls back to the card). "
        "Refusals: UNKNOWN_COLLECTION_MODE, NOT_BORROWER (a co-borrower), LOAN_NOT_REPAYING, "
        "FUND_ACCOUNT_CANNOT_PAY (frozen or closed).",
        examples=[
            OpenApiExample("Offset", value={"mode": "FUND_OFFSET"}, request_only=True),
            OpenApiExample("Collected from the fund account", value=_SUMMARY_EXAMPLE, response_only=True),
        ],
    )
    def post(self, request, account_no: str):
        account, role = _visible_account(request, account_no)
        body = CollectionModeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        set_collection_mode(account_id=account.pk, mode=body.validated_data["mode"], actor=request.user)
        return Response(
            LoanAccountSummarySerializer(summary_row(_accounts_of_any().get(pk=account.pk), role)).data
        )


class PayNowView(APIView):
    @extend_schema(
        parameters=[_ACCOUNT_NO],
        request=None,
        responses=_ACT_RESPONSES,
        description="The borrower pays the oldest instalment late or due today, with its penalty to date, "
        "now: from the fund account under FUND_OFFSET when it holds enough (SUCCEEDED at once), otherwise "
        "by a debit of the verified card (COLLECTING until the bank settles; FAILED with "
        "failure_code NO_VERIFIED_CARD without one). Refusals: NOT_BORROWER, LOAN_NOT_REPAYING, "
        "REPAYMENT_IN_PROGRESS, NOTHING_DUE.",
        examples=[
            OpenApiExample(
                "Paid from the fund account",
                value={"repayment": _REPAYMENT_EXAMPLE, "account": _SUMMARY_EXAMPLE},
                response_only=True,
            )
        ],
    )
    def post(self, request, account_no: str):
        account, role = _visible_account(request, account_no)
        if not is_borrower(account=account, user=request.user):
            raise NotBorrower(_("Only the borrower can repay the loan."))
        repayment = collect_instalment(account_id=account.pk, today=loan_book.today(), actor=request.user)
        if repayment is None:
            _why_nothing_started(account)
        return Response(_result(account.pk, role, repayment), status=status.HTTP_201_CREATED)


def _why_nothing_started(account: LoanAccount):
    position = loan_position(_accounts_of_any().get(pk=account.pk))
    if not position.repaying:
        raise LoanNotRepaying(_("This loan is not being repaid."))
    if position.in_flight is not None:
        raise RepaymentInProgress(
            _("A payment of this loan is being collected from your bank card; try again when it has settled.")
        )
    raise NothingDue(_("No instalment is due today or late: there is nothing to pay now."))


def _with_amount_field(error: DomainError) -> DomainError:
    # The calculators name the prepaid principal "prepaid"; this endpoint calls it "amount".
    if error.field == "prepaid":
        error.field = "amount"
    return error


class PrepaymentQuoteRequestSerializer(serializers.Serializer):
    amount = YuanField(help_text="principal to prepay, below the principal owed")


class PrepaymentOptionSerializer(serializers.Serializer):
    option = serializers.CharField(help_text="SHORTEN_TERM or LOWER_PAYMENT")
    months = serializers.IntegerField(help_text="instalments left after the prepayment")
    first_payment = YuanField()
    ends_on = serializers.DateField(help_text="the last instalment's due date")
    total_interest = YuanField()
    interest_saved = YuanField(help_text="against carrying on without prepaying")


class PrepaymentScheduleBeforeSerializer(serializers.Serializer):
    months = serializers.IntegerField()
    first_payment = YuanField()
    total_interest = YuanField()


class PrepaymentQuoteSerializer(serializers.Serializer):
    on = serializers.DateField()
    prepaid = YuanField()
    interest = YuanField(help_text="the prepaid principal's interest since the last due date (actual/360)")
    total = YuanField(help_text="what is paid now")
    interest_since = serializers.DateField()
    next_due_on = serializers.DateField(help_text="the next instalment keeps its date")
    outstanding = YuanField(help_text="principal owed before the prepayment")
    before = PrepaymentScheduleBeforeSerializer(help_text="the remaining schedule without prepaying")
    options = PrepaymentOptionSerializer(many=True, help_text="SHORTEN_TERM and LOWER_PAYMENT")


def prepayment_quote_row(quote) -> dict:
    plan = quote.plan
    options = []
    for choice in (plan.shorten_term, plan.lower_payment):
        options.append(
            {
                "option": choice.option,
                "months": choice.months,
                "first_payment": choice.first_payment,
                "ends_on": loan_book.monthly_dates(quote.next_due_on, count=choice.months)[-1],
                "total_interest": choice.schedule.total_interest,
                "interest_saved": choice.interest_saved,
            }
        )
    return {
        "on": quote.on,
        "prepaid": quote.prepaid,
        "interest": quote.interest,
        "total": quote.total,
        "interest_since": quote.since,
        "next_due_on": quote.next_due_on,
        "outstanding": plan.prepaid + plan.new_principal,
        "before": {
            "months": plan.old_schedule.months,
            "first_payment": plan.old_schedule.instalments[0].payment,
            "total_interest": plan.old_schedule.total_interest,
        },
        "options": options,
    }


class PrepaymentQuoteView(APIView):
    @extend_schema(
        parameters=[_ACCOUNT_NO],
        request=PrepaymentQuoteRequestSerializer,
        responses={
            200: PrepaymentQuoteSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
        description="What prepaying `amount` of principal today costs and both schedules it can lead to. "
        "Refusals: INVALID_PREPAYMENT (not below the principal owed: settle instead), LOAN_NOT_REPAYING, "
        "INSTALMENTS_UNPAID (pay the late or due instalment first), REPAYMENT_IN_PROGRESS.",
        examples=[
            OpenApiExample("50,000 yuan", value={"amount": "50000.00"}, request_only=True),
            OpenApiExample("Both options", value=_PREPAYMENT_QUOTE_EXAMPLE, response_only=True),
        ],
    )
    def post(self, request, account_no: str):
        account = _visible_account(request, account_no)[0]
        body = PrepaymentQuoteRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            quote = quote_prepayment(
                account=account, prepaid=body.validated_data["amount"], on=loan_book.today()
            )
        except DomainError as error:
            raise _with_amount_field(error) from None
        return Response(PrepaymentQuoteSerializer(prepayment_quote_row(quote)).data)


class PrepaymentRequestSerializer(serializers.Serializer):
    amount = YuanField(help_text="principal to prepay, below the principal owed")
    option = serializers.CharField(help_text="SHORTEN_TERM or LOWER_PAYMENT")
    channel = serializers.CharField(help_text="FUND_OFFSET (at once) or BANK_DEBIT (when the bank settles)")


class PrepaymentsView(APIView):
    @extend_schema(
        parameters=[_ACCOUNT_NO],
        request=PrepaymentRequestSerializer,
        responses=_ACT_RESPONSES,
        description="The borrower prepays `amount` of principal plus its interest since the last due date, "
        "then carries on as `option` says. From the fund account the new schedule is in force at once; by "
        "bank debit, once the bank settles. Refusals: as the quote, and NOT_BORROWER, "
        "UNKNOWN_PREPAYMENT_OPTION, UNKNOWN_CHANNEL, FUND_BALANCE_SHORT.",
        examples=[
            OpenApiExample(
                "From the fund account, shorter",
                value={"amount": "50000.00", "option": "SHORTEN_TERM", "channel": "FUND_OFFSET"},
                request_only=True,
            ),
            OpenApiExample("Prepaid from the fund account", value=_PREPAID_EXAMPLE, response_only=True),
        ],
    )
    def post(self, request, account_no: str):
        account, role = _visible_account(request, account_no)
        body = PrepaymentRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            repayment = prepay(
                account_id=account.pk,
                prepaid=data["amount"],
                option=data["option"],
                channel=data["channel"],
                actor=request.user,
            )
        except DomainError as error:
            raise _with_amount_field(error) from None
        return Response(_result(account.pk, role, repayment), status=status.HTTP_201_CREATED)


class SettlementQuoteSerializer(serializers.Serializer):
    on = serializers.DateField()
    principal = YuanField(help_text="principal owed")
    interest = YuanField(help_text="its interest since the last due date (actual/360)")
    interest_since = serializers.DateField()
    days = serializers.IntegerField()
    total = YuanField(help_text="what settles the loan today")


class SettlementQuoteView(APIView):
    @extend_schema(
        parameters=[_ACCOUNT_NO],
        request=None,
        responses={
            200: SettlementQuoteSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
        description="What repays the whole loan today. Refusals: LOAN_NOT_REPAYING, INSTALMENTS_UNPAID, "
        "REPAYMENT_IN_PROGRESS.",
        examples=[
            OpenApiExample("Ten days after a due date", value=_SETTLEMENT_QUOTE_EXAMPLE, response_only=True)
        ],
    )
    def post(self, request, account_no: str):
        account = _visible_account(request, account_no)[0]
        quote = quote_settlement(account=account, on=loan_book.today())
        return Response(
            SettlementQuoteSerializer(
                {
                    "on": quote.on,
                    "principal": quote.principal,
                    "interest": quote.interest,
                    "interest_since": quote.since,
                    "days": quote.days,
                    "total": quote.total,
                }
            ).data
        )


class SettlementRequestSerializer(serializers.Serializer):
    channel = serializers.CharField(help_text="FUND_OFFSET (at once) or BANK_DEBIT (when the bank settles)")


class SettlementView(APIView):
    @extend_schema(
        parameters=[_ACCOUNT_NO],
        request=SettlementRequestSerializer,
        responses=_ACT_RESPONSES,
        description="The borrower repays everything owed today. From the fund account the account is "
        "SETTLED at once and its loan-settled certificate sealed (the code is in the account summary); by "
        "bank debit, once the bank settles. Refusals: as the quote, and NOT_BORROWER, UNKNOWN_CHANNEL, "
        "FUND_BALANCE_SHORT.",
        examples=[
            OpenApiExample("From the fund account", value={"channel": "FUND_OFFSET"}, request_only=True),
            OpenApiExample("Settled at once", value=_SETTLED_EXAMPLE, response_only=True),
        ],
    )
    def post(self, request, account_no: str):
        account, role = _visible_account(request, account_no)
        body = SettlementRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        repayment = settle(account_id=account.pk, channel=body.validated_data["channel"], actor=request.user)
        return Response(_result(account.pk, role, repayment), status=status.HTTP_201_CREATED)


class _RefusalsInJson(DefaultContentNegotiation):
    """The answer is a PDF whatever the client accepts; a refusal is the API's JSON error."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class SettledCertificateView(APIView):
    renderer_classes = (JSONRenderer,)
    content_negotiation_class = _RefusalsInJson

    @extend_schema(
        parameters=[_ACCOUNT_NO],
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
        },
        description="The loan-settled certificate (住房公积金贷款结清证明) of a SETTLED account, for the "
        "borrower or the co-borrower: a PDF with its verification code and a QR code of the public check. "
        "The download is recorded in the audit trail. Refusals: LOAN_NOT_SETTLED, CERTIFICATE_NOT_IN_FORCE "
        "(the seal was revoked or the record changed).",
        examples=[
            OpenApiExample(
                "Not settled yet",
                value={
                    "code": "LOAN_NOT_SETTLED",
                    "detail": "该笔贷款尚未结清，没有贷款结清证明。",
                    "errors": [],
                },
                response_only=True,
                status_codes=["409"],
            ),
        ],
    )
    def get(self, request, account_no: str):
        account = _visible_account(request, account_no)[0]
        code = account.settlement_seal.code if account.settlement_seal_id else ""
        document = settled_certificate_pdf(account, verify_url=_verify_url(request, code) if code else "")
        record_certificate_download(account_id=account.pk, actor=request.user)
        response = HttpResponse(document, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"loan-settled-certificate-{account.account_no}.pdf"
        )
        # It names the borrower: no shared cache may keep it.
        response["Cache-Control"] = "private, no-store"
        return response
