"""Transfers for the logged-in employee: the intra-city move, and cross-city transfers in and out.

``POST /transfers/intra-city`` moves their sealed account to their current unit; ``GET`` lists their
account's moves and merges, as the hall's transfer page shows them.
``POST /transfers/incoming`` applies to bring their fund here from another city; ``GET
/transfers/incoming[/{id}]`` and ``GET /transfers/outgoing[/{id}]`` follow their transfers in and
out with each step's time (read only). A person sees only their own (anyone else's: 404);
callers who are not employees get 403. Money is a yuan string, as everywhere in the API.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from api.applications import _person_of
from api.errors import ErrorSerializer
from api.fields import YuanField
from transfers import timeline
from transfers.cities import city_of
from transfers.incoming import NoActiveAccount, TransferAlreadyOpen, TransferError, apply_incoming
from transfers.intra_city import account_moves_query, request_intra_city_move
from transfers.models import IncomingStatus, IncomingTransfer, OutgoingStatus, OutgoingTransfer, RefusalCode
from transfers.selectors import incoming_transfers_query, outgoing_transfers_query


class IntraCityRequestSerializer(serializers.Serializer):
    account_no = serializers.CharField(
        required=False,
        help_text="optional: the caller's own account number, as a check; any other is refused (403)",
    )


class AccountMoveSerializer(serializers.Serializer):
    account_no = serializers.CharField(source="account.account_no")
    business_type = serializers.CharField(help_text="06 内部转移")
    kind = serializers.CharField(help_text="MOVE (to a new unit) or MERGE (a duplicate account merged in)")
    kind_label = serializers.CharField(source="get_kind_display", help_text="in the request's language")
    from_unit = serializers.CharField(source="from_employer.name", allow_null=True, default=None)
    to_unit = serializers.CharField(source="to_employer.name", allow_null=True, default=None)
    merged_account_no = serializers.CharField(
        source="merged_account.account_no",
        allow_null=True,
        default=None,
        help_text="MERGE: the account absorbed",
    )
    amount = YuanField(help_text='MERGE: the balance moved in; MOVE: "0.00"')
    moved_on = serializers.DateField()


def _error(code: str, message: str) -> dict:
    return {"code": code, "detail": message, "errors": []}


_MOVE_EXAMPLE = {
    "account_no": "350200100012345",
    "business_type": "06",
    "kind": "MOVE",
    "kind_label": "转入新单位",
    "from_unit": "厦门鹭江物流有限公司",
    "to_unit": "厦门海沧港务有限公司",
    "merged_account_no": None,
    "amount": "0.00",
    "moved_on": "2026-11-20",
}
_NOT_EMPLOYEE_EXAMPLE = OpenApiExample(
    "Not an employee",
    value=_error("PERMISSION_DENIED", "只有职工才有个人账户。"),
    response_only=True,
    status_codes=["403"],
)
_NOT_YOURS_EXAMPLE = OpenApiExample(
    "Not the caller's",
    value=_error("NOT_FOUND", "没有您的这笔转移业务。"),
    response_only=True,
    status_codes=["404"],
)


class IntraCityTransferView(APIView):
    @extend_schema(
        responses={200: AccountMoveSerializer(many=True), 403: ErrorSerializer},
        description="The caller's account moves between units of the city and duplicate accounts merged "
        "into it (内部转移, business type 06), newest first, as the hall's transfer page lists them. "
        "Employees only (403).",
        examples=[OpenApiExample("A move", value=_MOVE_EXAMPLE, response_only=True), _NOT_EMPLOYEE_EXAMPLE],
    )
    def get(self, request):
        return Response(AccountMoveSerializer(account_moves_query(_person_of(request)), many=True).data)

    @extend_schema(
        request=IntraCityRequestSerializer,
        responses={
            201: AccountMoveSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
            503: ErrorSerializer,
        },
        description=(
            "Move the caller's sealed account to the unit the social security register says they work "
            "for now (a unit registered here, unit account normal). Nothing else is asked. Refusals "
            "(409): ACCOUNT_NOT_SEALED, NO_CURRENT_EMPLOYER, EMPLOYER_NOT_REGISTERED, "
            "EMPLOYER_NOT_PAYING, SAME_UNIT; 400 VALIDATION_ERROR (a field of the body); "
            "404 NO_FUND_ACCOUNT; 503 SOURCE_UNAVAILABLE."
        ),
        examples=[
            OpenApiExample("Nothing asked", value={}, request_only=True),
            OpenApiExample("Moved", value=_MOVE_EXAMPLE, response_only=True, status_codes=["201"]),
            OpenApiExample(
                "Not sealed",
                value=_error(
                    "ACCOUNT_NOT_SEALED", "您的账户状态为正常。只有在原单位封存的账户才能转入当前单位。"
                ),
                response_only=True,
                status_codes=["409"],
            ),
        ],
    )
    def post(self, request):
        person = getattr(request.user, "person", None)
        if person is None:
            raise PermissionDenied(_("Only employees have a fund account."))
        body = IntraCityRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        account_no = body.validated_data.get("account_no")
        own = getattr(getattr(person, "fund_account", None), "account_no", None)
        if account_no and account_no != own:
            # A person moves their own account only; whose the other one is is not said.
            raise PermissionDenied(_("You can only move your own account."))
        move = request_intra_city_move(person=person, actor=request.user)
        return Response(AccountMoveSerializer(move).data, status=status.HTTP_201_CREATED)


# --- cross-city transfers (异地转移接续) ---------------------------------------------------------

_INCOMING_STATUSES = [choice.value for choice in IncomingStatus]
_OUTGOING_STATUSES = [choice.value for choice in OutgoingStatus]
_STEPS = sorted(set(timeline.INCOMING_STEPS) | set(timeline.OUTGOING_STEPS))
# The service's refusals that are about the state of things, not the request: 409.
_CONFLICTS = {NoActiveAccount.code, TransferAlreadyOpen.code}


def _reason(code: str) -> str:
    return str(RefusalCode(code).label) if code in RefusalCode.values else code


class IncomingRequestSerializer(serializers.Serializer):
    sending_city_code = serializers.RegexField(
        r"^\d{6}$", help_text="the 6-digit region code of the city the fund is in now, e.g. 310000"
    )
    sending_city_name = serializers.CharField(
        required=False,
        # Blank is the same as left out: the listed name is used (a form body sends "" for an empty box).
        allow_blank=True,
        max_length=40,
        help_text="optional; by default the listed name of the city (上海市), or the code itself",
    )


class TransferStepSerializer(serializers.Serializer):
    step = serializers.CharField(help_text=f"one of {', '.join(_STEPS)}")
    at = serializers.DateTimeField()
    platform_status = serializers.CharField(
        allow_blank=True,
        help_text="the national platform's status, where the step has one: 01 02 06 13 05 40 00",
    )
    outcome = serializers.CharField(
        allow_blank=True,
        help_text="CHECKED: PASSED or REFUSED; ANSWERED: REPLIED or REFUSED; REFUSED: REFUSED",
    )
    refusal_code = serializers.CharField(allow_blank=True)
    refusal_reason = serializers.CharField(
        allow_blank=True, help_text="the refusal in the request's language"
    )
    amount = YuanField(allow_null=True, help_text="principal + interest, where the step moves money")
    interest = YuanField(allow_null=True)
    merged_months = serializers.IntegerField(allow_null=True, help_text="COMPLETED: deposit months merged")


def _step_row(step: timeline.TransferStep) -> dict:
    return {
        "step": step.step,
        "at": step.at,
        "platform_status": step.platform_status,
        "outcome": step.outcome,
        "refusal_code": step.refusal_code,
        "refusal_reason": _reason(step.refusal_code) if step.refusal_code else "",
        "amount": step.amount,
        "interest": step.interest,
        "merged_months": step.merged_months,
    }


class IncomingTransferSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=_INCOMING_STATUSES)
    platform_status = serializers.CharField(allow_blank=True)
    sending_city_code = serializers.CharField()
    sending_city_name = serializers.CharField()
    account_no = serializers.CharField(help_text="the caller's account here, which the money goes into")
    letter_ref = serializers.CharField(help_text="our contact letter's reference")
    applied_at = serializers.DateTimeField()
    letter_sent_at = serializers.DateTimeField(allow_null=True)
    amount = YuanField(allow_null=True, help_text="credited: principal + interest")
    principal = YuanField(allow_null=True)
    interest = YuanField(allow_null=True)
    credited_on = serializers.DateField(allow_null=True)
    merged_months = serializers.IntegerField(allow_null=True, help_text="deposit months brought in")
    sender_opened_on = serializers.DateField(allow_null=True)
    paid_up_to = serializers.DateField(allow_null=True, help_text="the last month paid there (its first day)")
    last_six_continuous = serializers.BooleanField(allow_null=True)
    refusal_code = serializers.CharField(allow_blank=True)
    refusal_reason = serializers.CharField(allow_blank=True)
    timeline = TransferStepSerializer(many=True, help_text="the steps taken, oldest first")
    steps_to_come = serializers.ListField(
        child=serializers.CharField(), help_text="while open: the step codes still expected"
    )


def incoming_row(transfer: IncomingTransfer, steps) -> dict:
    return {
        "id": transfer.pk,
        "status": transfer.status,
        "platform_status": transfer.platform_status,
        "sending_city_code": transfer.sending_city_code,
        "sending_city_name": transfer.sending_city_name,
        "account_no": transfer.account.account_no,
        "letter_ref": transfer.letter_ref,
        "applied_at": transfer.created_at,
        "letter_sent_at": transfer.letter_sent_at,
        "amount": transfer.amount,
        "principal": transfer.principal,
        "interest": transfer.interest,
        "credited_on": transfer.credited_on,
        "merged_months": transfer.merged_months,
        "sender_opened_on": transfer.sender_opened_on,
        "paid_up_to": transfer.paid_up_to,
        "last_six_continuous": transfer.last_six_continuous,
        "refusal_code": transfer.refusal_code,
        "refusal_reason": _reason(transfer.refusal_code) if transfer.refusal_code else "",
        "timeline": [_step_row(step) for step in steps],
        "steps_to_come": list(timeline.incoming_steps_to_come(transfer)),
    }


class OutgoingTransferSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=_OUTGOING_STATUSES)
    receiving_city_code = serializers.CharField()
    receiving_city_name = serializers.CharField(allow_blank=True)
    platform_ref = serializers.CharField(help_text="the receiving centre's letter, as the platform names it")
    received_at = serializers.DateTimeField()
    refusal_code = serializers.CharField(allow_blank=True)
    refusal_reason = serializers.CharField(allow_blank=True)
    amount = YuanField(allow_null=True, help_text="transferred: principal + interest to date")
    principal = YuanField(allow_null=True)
    interest = YuanField(allow_null=True)
    months_deposited = serializers.IntegerField(allow_null=True)
    reply_sent_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True, help_text="when the account here closed (04)")
    timeline = TransferStepSerializer(many=True, help_text="the steps taken, oldest first")
    steps_to_come = serializers.ListField(
        child=serializers.CharField(), help_text="while open: the step codes still expected"
    )


def outgoing_row(transfer: OutgoingTransfer, steps) -> dict:
    return {
        "id": transfer.pk,
        "status": transfer.status,
        "receiving_city_code": transfer.receiving_city_code,
        "receiving_city_name": transfer.receiving_city_name,
        "platform_ref": transfer.platform_ref,
        "received_at": transfer.received_at,
        "refusal_code": transfer.refusal_code,
        "refusal_reason": _reason(transfer.refusal_code) if transfer.refusal_code else "",
        "amount": transfer.amount,
        "principal": transfer.principal,
        "interest": transfer.interest,
        "months_deposited": transfer.months_deposited,
        "reply_sent_at": transfer.reply_sent_at,
        "closed_at": transfer.closed_at,
        "timeline": [_step_row(step) for step in steps],
        "steps_to_come": list(timeline.outgoing_steps_to_come(transfer)),
    }


def _step(step: str, at: str, **fields) -> dict:
    return {
        "step": step,
        "at": at,
        "platform_status": "",
        "outcome": "",
        "refusal_code": "",
        "refusal_reason": "",
        "amount": None,
        "interest": None,
        "merged_months": None,
        **fields,
    }


_INCOMING_EXAMPLE = {
    "id": 7,
    "status": "SENT",
    "platform_status": "01",
    "sending_city_code": "310000",
    "sending_city_name": "上海市",
    "account_no": "350200100012345",
    "letter_ref": "LXH-2026-000007",
    "applied_at": "2026-11-20T10:00:00+08:00",
    "letter_sent_at": "2026-11-20T10:00:02+08:00",
    "amount": None,
    "principal": None,
    "interest": None,
    "credited_on": None,
    "merged_months": None,
    "sender_opened_on": None,
    "paid_up_to": None,
    "last_six_continuous": None,
    "refusal_code": "",
    "refusal_reason": "",
    "timeline": [
        _step("APPLIED", "2026-11-20T10:00:00+08:00"),
        _step("LETTER_SENT", "2026-11-20T10:00:02+08:00", platform_status="01"),
    ],
    "steps_to_come": ["LETTER_RECEIVED", "NEGOTIATING", "COMPLETED"],
}
_COMPLETED_EXAMPLE = {
    **_INCOMING_EXAMPLE,
    "status": "COMPLETED",
    "platform_status": "00",
    "amount": "50123.45",
    "principal": "50000.00",
    "interest": "123.45",
    "credited_on": "2026-11-24",
    "merged_months": 48,
    "sender_opened_on": "2022-07-01",
    "paid_up_to": "2026-10-01",
    "last_six_continuous": True,
    "timeline": [
        *_INCOMING_EXAMPLE["timeline"],
        _step("LETTER_RECEIVED", "2026-11-21T09:00:00+08:00", platform_status="02"),
        _step("NEGOTIATING", "2026-11-22T09:00:00+08:00", platform_status="06"),
        _step(
            "COMPLETED",
            "2026-11-24T15:00:00+08:00",
            platform_status="00",
            amount="50123.45",
            interest="123.45",
            merged_months=48,
        ),
    ],
    "steps_to_come": [],
}
_OUTGOING_EXAMPLE = {
    "id": 3,
    "status": "CLOSED",
    "receiving_city_code": "310000",
    "receiving_city_name": "上海市",
    "platform_ref": "PLT0001",
    "received_at": "2026-11-20T09:00:00+08:00",
    "refusal_code": "",
    "refusal_reason": "",
    "amount": "50123.45",
    "principal": "50000.00",
    "interest": "123.45",
    "months_deposited": 48,
    "reply_sent_at": "2026-11-20T09:05:00+08:00",
    "closed_at": "2026-11-22T10:00:00+08:00",
    "timeline": [
        _step("LETTER_RECEIVED", "2026-11-20T09:00:00+08:00", platform_status="02"),
        _step("CHECKED", "2026-11-20T09:00:01+08:00", outcome="PASSED"),
        _step(
            "ANSWERED", "2026-11-20T09:05:00+08:00", outcome="REPLIED", amount="50123.45", interest="123.45"
        ),
        _step("TRANSFERRED_OUT", "2026-11-22T10:00:00+08:00", platform_status="00", amount="50123.45"),
    ],
    "steps_to_come": [],
}


def _own_incoming(request):
    return incoming_transfers_query(_person_of(request)).select_related("account")


class IncomingTransfersView(APIView):
    @extend_schema(
        responses={200: IncomingTransferSerializer(many=True), 403: ErrorSerializer},
        description="The caller's transfers in, newest first, each with its timeline. Employees only (403).",
        examples=[
            OpenApiExample("A letter sent", value=_INCOMING_EXAMPLE, response_only=True),
            _NOT_EMPLOYEE_EXAMPLE,
        ],
    )
    def get(self, request):
        transfers = list(_own_incoming(request))
        steps = timeline.incoming_timelines(transfers)
        return Response(
            IncomingTransferSerializer([incoming_row(t, steps[t.pk]) for t in transfers], many=True).data
        )

    @extend_schema(
        request=IncomingRequestSerializer,
        responses={
            201: IncomingTransferSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
            409: ErrorSerializer,
        },
        description=(
            "Bring the caller's fund here from another city (异地转入). The caller names the city "
            "the fund is in; nothing else is asked: the contact letter goes to that city's centre "
            "through the national platform, and the money is credited (with the months deposited "
            "there merged) when that centre pays. Follow it with GET /transfers/incoming/{id}. "
            "Refusals: 400 VALIDATION_ERROR (no 6-digit code), 400 INVALID_CITY (our own city); "
            "409 NO_ACTIVE_ACCOUNT (no normal 01 account here), 409 TRANSFER_ALREADY_OPEN "
            "(a transfer in is under way); 403 for callers who are not employees."
        ),
        examples=[
            OpenApiExample(
                "From Shanghai",
                value={"sending_city_code": "310000", "sending_city_name": "上海市"},
                request_only=True,
            ),
            OpenApiExample("Letter sent", value=_INCOMING_EXAMPLE, response_only=True, status_codes=["201"]),
            OpenApiExample(
                "One under way",
                value=_error("TRANSFER_ALREADY_OPEN", "已有正在办理的异地转入。"),
                response_only=True,
                status_codes=["409"],
            ),
        ],
    )
    def post(self, request):
        person = _person_of(request)
        body = IncomingRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        code = body.validated_data["sending_city_code"]
        listed = city_of(code)
        name = body.validated_data.get("sending_city_name") or (listed.name if listed else "")
        try:
            transfer = apply_incoming(
                person=person, sending_city_code=code, sending_city_name=name, actor=request.user
            )
        except TransferError as error:
            if error.code in _CONFLICTS:
                error.http_status = status.HTTP_409_CONFLICT
            raise
        transfer = _own_incoming(request).get(pk=transfer.pk)
        return Response(
            IncomingTransferSerializer(incoming_row(transfer, timeline.incoming_timeline(transfer))).data,
            status=status.HTTP_201_CREATED,
        )


class IncomingTransferView(APIView):
    @extend_schema(
        responses={200: IncomingTransferSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
        description=(
            "One transfer in of the caller's, with its timeline: APPLIED → LETTER_SENT (01) → "
            "LETTER_RECEIVED (02) → NEGOTIATING (06) → REFUSED (13, with refusal_code) / CANCELLED "
            "(05) / FAILED (40) / COMPLETED (00: amount credited, months merged). Another person's "
            "is 404 NOT_FOUND, as one that does not exist."
        ),
        examples=[
            OpenApiExample("Completed", value=_COMPLETED_EXAMPLE, response_only=True),
            _NOT_YOURS_EXAMPLE,
        ],
    )
    def get(self, request, transfer_id: int):
        transfer = _own_incoming(request).filter(pk=transfer_id).first()
        if transfer is None:
            raise NotFound(_("There is no such transfer of yours."))
        return Response(
            IncomingTransferSerializer(incoming_row(transfer, timeline.incoming_timeline(transfer))).data
        )


class OutgoingTransfersView(APIView):
    @extend_schema(
        responses={200: OutgoingTransferSerializer(many=True), 403: ErrorSerializer},
        description=(
            "The caller's transfers out, newest first, each with its timeline: another city's centre "
            "asked for the caller's fund (the caller applied there). Read only. Employees only (403)."
        ),
        examples=[
            OpenApiExample("Transferred out", value=_OUTGOING_EXAMPLE, response_only=True),
            _NOT_EMPLOYEE_EXAMPLE,
        ],
    )
    def get(self, request):
        transfers = list(outgoing_transfers_query(_person_of(request)))
        steps = timeline.outgoing_timelines(transfers)
        return Response(
            OutgoingTransferSerializer([outgoing_row(t, steps[t.pk]) for t in transfers], many=True).data
        )


class OutgoingTransferView(APIView):
    @extend_schema(
        responses={200: OutgoingTransferSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
        description=(
            "One transfer out of the caller's account, with its timeline: LETTER_RECEIVED → CHECKED "
            "(PASSED, or REFUSED with refusal_code: ACCOUNT_NOT_SEALED, LOAN_UNSETTLED, "
            "WITHDRAWAL_OPEN, NO_ACCOUNT, NO_BALANCE) → ANSWERED → TRANSFERRED_OUT (00, the account "
            "here closed as 04) or FAILED (the money back in the account). Another person's is 404."
        ),
        examples=[
            OpenApiExample("Transferred out", value=_OUTGOING_EXAMPLE, response_only=True),
            _NOT_YOURS_EXAMPLE,
        ],
    )
    def get(self, request, transfer_id: int):
        transfer = outgoing_transfers_query(_person_of(request)).filter(pk=transfer_id).first()
        if transfer is None:
            raise NotFound(_("There is no such transfer of yours."))
        return Response(
            OutgoingTransferSerializer(outgoing_row(transfer, timeline.outgoing_timeline(transfer))).data
        )
