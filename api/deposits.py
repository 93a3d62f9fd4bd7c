"""``/employer/deposit-lists…``: a unit's monthly and back-payment lists over the API.

The unit's preparer downloads the pre-filled template, uploads the list and submits it; the
unit's approver approves it (the bank then collects), returns it, or collects again after a
failed debit. Only a unit's operators get here; every lookup goes through their unit, so
another unit's list answers 404 exactly as a list that does not exist. Each view makes one
service call, except the upload, which also checks a small list at once so that the response
carries its problems. The services decide who may act; their refusals keep their stable codes.
"""

from __future__ import annotations

import re
from datetime import date

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import EMPLOYER_ROLES, roles_of
from api.errors import ErrorSerializer
from api.fields import YuanField, query_data
from core.exceptions import DomainError
from deposits import services
from deposits.models import DepositList, ListKind, ListStatus
from deposits.reading import FILE, FILE_TOO_LARGE
from deposits.selectors import list_errors, list_of_employer, lists_of_employer
from deposits.validation import expected_period

#: The list kinds as the API names them (the model stores the ledger business types 01 and 02).
KINDS = {ListKind.MONTHLY.value: "MONTHLY", ListKind.BACK_PAYMENT.value: "BACK_PAYMENT"}
_KIND_VALUES = {name: value for value, name in KINDS.items()}
FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# A 50,000-row list can have 50,000 problems (several MB of JSON): the upload and the detail
# carry the first ones and the count, and /errors pages through the rest.
ERRORS_SHOWN = 100


# A refusal's HTTP status: the role forbids it (403), the list's or the unit's state does
# (409), or the list is not the caller's unit's (404, as a list that does not exist).
class IsEmployerOperator(BasePermission):
    """A unit's preparer or approver; employees and the centre's staff use other endpoints."""

    message = _("Only the operators of a unit can handle its deposit lists.")

    def has_permission(self, request, view):
        user = request.user
        return bool(getattr(user, "employer_id", None) and roles_of(user) & EMPLOYER_ROLES)


class _EmployerView(APIView):
    permission_classes = (IsAuthenticated, IsEmployerOperator)

    def deposit_list(self, list_id: int) -> DepositList:
        deposit_list = list_of_employer(self.request.user.employer, list_id)
        if deposit_list is None:
            raise NotFound(_("No such list."))
        return deposit_list


class _StrictPages(PageNumberPagination):
    """``page_size`` as the schema says, an integer, or a 400: DRF alone would quietly use its
    default for ``page_size=abc``. Integers keep DRF's reading (below 1: the default; above the
    largest: the largest)."""

    def get_page_size(self, request):
        given = request.query_params.get(self.page_size_query_param)
        if given is not None and not re.fullmatch(r"-?\d+", given):
            raise ValidationError({self.page_size_query_param: _("Enter a whole number.")})
        return super().get_page_size(request)


class ListPages(_StrictPages):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class ErrorPages(_StrictPages):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


# --- fields and serializers ----------------------------------------------------------------------


MONTH_SCHEMA = {"type": "string", "pattern": r"^\d{4}-(0[1-9]|1[0-2])$", "example": "2026-10"}


@extend_schema_field(MONTH_SCHEMA)
class MonthField(serializers.Field):
    """A month as ``YYYY-MM`` outside, the first day of that month inside."""

    default_error_messages = {"invalid": _('Enter a month as YYYY-MM, e.g. "2026-10".')}

    def to_representation(self, value):
        return f"{value:%Y-%m}"

    def to_internal_value(self, data):
        text = data.strip() if isinstance(data, str) else ""
        year, _dash, month = text.partition("-")
        if len(year) != 4 or len(month) != 2 or not (year + month).isdigit():
            self.fail("invalid")
        try:
            return date(int(year), int(month), 1)
        except ValueError:
            self.fail("invalid")


@extend_schema_field({"type": "string", "enum": list(KINDS.values())}, component_name="DepositListKind")
class KindField(serializers.Field):
    default_error_messages = {"invalid": _("Choose MONTHLY or BACK_PAYMENT.")}

    def to_representation(self, value):
        return KINDS[value]

    def to_internal_value(self, data):
        if data not in _KIND_VALUES:
            self.fail("invalid")
        return _KIND_VALUES[data]


# A named component of its own: spectacular names enums by field, and the applications'
# "status" already took "StatusEnum".
@extend_schema_field({"type": "string", "enum": ListStatus.values}, component_name="DepositListStatus")
class ListStatusField(serializers.CharField):
    pass


class DepositListErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="1-based data row; 0 is the header or the whole file")
    field = serializers.CharField(help_text="id_number, name, base, account_no, period or file")
    code = serializers.CharField(help_text="stable upper-case identifier, e.g. NAME_MISMATCH")
    message = serializers.CharField(help_text="in the language of the upload")


class DepositListSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = KindField()
    period = MonthField()
    status = ListStatusField(help_text="READY lists can be submitted; SUBMITTED ones await the approver")
    status_label = serializers.CharField(source="get_status_display")
    filename = serializers.CharField()
    rows_total = serializers.IntegerField()
    rows_checked = serializers.IntegerField(help_text="progress of the check while CHECKING")
    rows_valid = serializers.IntegerField()
    error_count = serializers.IntegerField()
    total_base = YuanField(help_text="sum of the valid rows' bases")
    employer_amount = YuanField()
    employee_amount = YuanField()
    amount = YuanField(help_text="what the bank collects, both parts of every row; 0.00 until READY")
    uploaded_by = serializers.CharField(source="uploaded_by.username")
    uploaded_at = serializers.DateTimeField()
    checked_at = serializers.DateTimeField(allow_null=True)
    submitted_by = serializers.CharField(source="submitted_by.username", allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    decided_by = serializers.CharField(
        source="decided_by.username", allow_null=True, help_text="the approver who approved or returned it"
    )
    decided_at = serializers.DateTimeField(allow_null=True)
    return_reason = serializers.CharField()
    order_ref = serializers.CharField(
        help_text="the current collection order's reference; empty before approval"
    )
    failure_code = serializers.CharField(
        help_text="the bank's reason when COLLECTION_FAILED, e.g. INSUFFICIENT_FUNDS"
    )
    settled_on = serializers.DateField(allow_null=True)
    posted_at = serializers.DateTimeField(allow_null=True, help_text="when every account was credited")
    suspense_count = serializers.IntegerField(
        help_text="people whose account closed before the money arrived: their parts are held (暂收款)"
    )
    suspense_amount = YuanField(help_text="what those parts come to; returned to the unit")


class DepositListDetailSerializer(DepositListSerializer):
    errors = serializers.SerializerMethodField(
        help_text=f"the first {ERRORS_SHOWN} problems by row; error_count counts them all and "
        "/errors pages through them"
    )

    @extend_schema_field(DepositListErrorSerializer(many=True))
    def get_errors(self, deposit_list):
        return DepositListErrorSerializer(list_errors(deposit_list)[:ERRORS_SHOWN], many=True).data


class DepositListUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="csv (UTF-8, UTF-8 with BOM, GBK) or xlsx; see CONTRACT.md")
    period = MonthField(help_text="the month paid for")
    kind = KindField(required=False, default=ListKind.MONTHLY.value)


class _TemplateQuerySerializer(serializers.Serializer):
    period = MonthField(required=False)
    format = serializers.ChoiceField(choices=FORMATS, default="xlsx")


class DepositListReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, help_text="why the list goes back to the preparer")


# --- examples -----------------------------------------------------------------------------------

_LIST_EXAMPLE = {
    "id": 812,
    "kind": "MONTHLY",
    "period": "2026-11",
    "status": "READY",
    "status_label": "待提交",
    "filename": "2026-11汇缴清册.xlsx",
    "rows_total": 86,
    "rows_checked": 86,
    "rows_valid": 86,
    "error_count": 0,
    "total_base": "516000.00",
    "employer_amount": "61920.00",
    "employee_amount": "61920.00",
    "amount": "123840.00",
    "uploaded_by": "hr-prep",
    "uploaded_at": "2026-11-27T09:15:02+08:00",
    "checked_at": "2026-11-27T09:15:03+08:00",
    "submitted_by": None,
    "submitted_at": None,
    "decided_by": None,
    "decided_at": None,
    "return_reason": "",
    "order_ref": "",
    "failure_code": "",
    "settled_on": None,
    "posted_at": None,
    "suspense_count": 0,
    "suspense_amount": "0.00",
}
_ROW_ERROR_EXAMPLE = {
    "row": 12,
    "field": "name",
    "code": "NAME_MISMATCH",
    "message": "姓名“陈**”与该身份证号登记的姓名不符。",
}
_SUBMITTED_EXAMPLE = {
    **_LIST_EXAMPLE,
    "status": "SUBMITTED",
    "status_label": "待审核",
    "submitted_by": "hr-prep",
    "submitted_at": "2026-11-27T09:20:41+08:00",
    "errors": [],
}
_ACTION_EXAMPLES = {
    "submit": OpenApiExample("Submitted", value=_SUBMITTED_EXAMPLE, response_only=True),
    "approve": OpenApiExample(
        "Approved: the bank collects",
        value={
            **_SUBMITTED_EXAMPLE,
            "status": "COLLECTING",
            "status_label": "正在银行托收",
            "decided_by": "hr-approve",
            "decided_at": "2026-11-27T10:05:12+08:00",
            "order_ref": "FPDL0000000812-1",
        },
        response_only=True,
    ),
    "return": OpenApiExample(
        "Returned to the preparer",
        value={
            **_SUBMITTED_EXAMPLE,
            "status": "RETURNED",
            "status_label": "已退回",
            "decided_by": "hr-approve",
            "decided_at": "2026-11-27T10:05:12+08:00",
            "return_reason": "陈**的缴存基数应为6000.00元，请更正后重新上传。",
        },
        response_only=True,
    ),
    "retry": OpenApiExample(
        "Collecting again",
        value={
            **_SUBMITTED_EXAMPLE,
            "status": "COLLECTING",
            "status_label": "正在银行托收",
            "decided_by": "hr-approve",
            "decided_at": "2026-11-27T10:05:12+08:00",
            "order_ref": "FPDL0000000812-2",
        },
        response_only=True,
    ),
    "discard": OpenApiExample(
        "Discarded",
        value={**_LIST_EXAMPLE, "status": "DISCARDED", "status_label": "已作废", "errors": []},
        response_only=True,
    ),
}
_LIST_STATE_EXAMPLE = OpenApiExample(
    "Not in a state that allows it",
    value={"code": "LIST_STATE", "detail": "该清册当前状态为“已入账”，现在不能办理此操作。", "errors": []},
    response_only=True,
    status_codes=["409"],
)


def _detail(deposit_list: DepositList, *, status_code: int = status.HTTP_200_OK, headers=None) -> Response:
    return Response(DepositListDetailSerializer(deposit_list).data, status=status_code, headers=headers)


# --- the template -------------------------------------------------------------------------------


class _FormatNamesTheFile(DefaultContentNegotiation):
    """``?format=`` names the file to download here, not a renderer: answer refusals in JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class DepositListTemplateView(_EmployerView):
    renderer_classes = (JSONRenderer,)
    content_negotiation_class = _FormatNamesTheFile

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "period",
                MONTH_SCHEMA,
                description="YYYY-MM; default the unit's next month to pay (this month for a first list)",
            ),
            OpenApiParameter("format", str, enum=list(FORMATS), description="default xlsx"),
        ],
        responses={
            (200, CONTENT_TYPES["xlsx"]): OpenApiTypes.BINARY,
            (200, "text/csv"): OpenApiTypes.BINARY,
            400: ErrorSerializer,
            403: ErrorSerializer,
        },
        description="The list pre-filled with the unit's active employees and their current bases "
        "(full ID numbers: the unit's own staff). The download is recorded in the audit trail.",
        examples=[
            OpenApiExample(
                "The csv (ID numbers masked here)",
                value="身份证号,姓名,缴存基数,个人账号\r\n3502**********123X,陈**,6000.00,350200123452\r\n",
                media_type="text/csv",
                response_only=True,
                status_codes=["200"],
            ),
        ],
    )
    def get(self, request):
        query = _TemplateQuerySerializer(data=query_data(request))
        query.is_valid(raise_exception=True)
        employer = request.user.employer
        # A unit that never paid starts with the current month (its first list cannot be later).
        period = (
            query.validated_data.get("period")
            or expected_period(employer)
            or timezone.localdate().replace(day=1)
        )
        fmt = query.validated_data["format"]
        content = services.download_template(employer=employer, period=period, fmt=fmt, actor=request.user)
        response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"deposit-list-{employer.unit_account_no}-{period:%Y-%m}.{fmt}"
        )
        # The file carries ID numbers: no shared cache may keep it.
        response["Cache-Control"] = "private, no-store"
        return response


# --- the unit's lists and uploads -----------------------------------------------------------------


class DepositListsView(_EmployerView, ListAPIView):
    pagination_class = ListPages
    serializer_class = DepositListSerializer
    parser_classes = (MultiPartParser, FormParser)

    def get_queryset(self):
        return lists_of_employer(self.request.user.employer).select_related(
            "uploaded_by", "submitted_by", "decided_by"
        )

    @extend_schema(
        responses={
            200: DepositListSerializer(many=True),
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
        description="The unit's lists, newest first.",
        examples=[OpenApiExample("A list ready to submit", value=_LIST_EXAMPLE, response_only=True)],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request={"multipart/form-data": DepositListUploadSerializer},
        responses={
            201: OpenApiResponse(
                DepositListDetailSerializer, description="checked at once: READY or INVALID"
            ),
            202: OpenApiResponse(
                DepositListDetailSerializer,
                description="a larger list, RECEIVED or CHECKING: poll the list until it is READY or INVALID",
            ),
            400: OpenApiResponse(
                ErrorSerializer, description="a field is missing or wrong, or FILE_TOO_LARGE"
            ),
            403: OpenApiResponse(
                ErrorSerializer, description="ROLE_REQUIRED: only the unit's preparer uploads"
            ),
            409: OpenApiResponse(
                ErrorSerializer, description="UNIT_CANNOT_PAY: the unit's account is not normal"
            ),
        },
        description="The unit's preparer uploads a list. A list up to "
        f"{settings.DEPOSIT_LIST_INLINE_BYTES // 1024} KB is checked in the request; a larger one "
        "in the background.",
        examples=[
            OpenApiExample(
                "November's monthly list",
                value={"file": "2026-11汇缴清册.xlsx", "period": "2026-11", "kind": "MONTHLY"},
                media_type="multipart/form-data",
                request_only=True,
            ),
            OpenApiExample(
                "Checked at once: READY",
                value={**_LIST_EXAMPLE, "errors": []},
                response_only=True,
                status_codes=["201"],
            ),
            OpenApiExample(
                "Checked at once: INVALID",
                value={
                    **_LIST_EXAMPLE,
                    "status": "INVALID",
                    "status_label": "有错误",
                    "rows_valid": 85,
                    "error_count": 1,
                    "total_base": "510000.00",
                    "employer_amount": "61200.00",
                    "employee_amount": "61200.00",
                    "amount": "0.00",
                    "errors": [_ROW_ERROR_EXAMPLE],
                },
                response_only=True,
                status_codes=["201"],
            ),
            OpenApiExample(
                "A larger list, checked in the background",
                value={
                    **_LIST_EXAMPLE,
                    "status": "RECEIVED",
                    "status_label": "已接收",
                    "filename": "2026-11汇缴清册.csv",
                    "rows_total": 0,
                    "rows_checked": 0,
                    "rows_valid": 0,
                    "total_base": "0.00",
                    "employer_amount": "0.00",
                    "employee_amount": "0.00",
                    "amount": "0.00",
                    "checked_at": None,
                    "errors": [],
                },
                response_only=True,
                status_codes=["202"],
            ),
            OpenApiExample(
                "The unit cannot pay",
                value={"code": "UNIT_CANNOT_PAY", "detail": "单位账户状态为“封存”，不能缴存。", "errors": []},
                response_only=True,
                status_codes=["409"],
            ),
        ],
    )
    def post(self, request, *args, **kwargs):
        body = DepositListUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        limit = settings.DEPOSIT_LIST_MAX_BYTES
        if upload.size > limit:
            # Refused before it is read: a huge upload must not be held in memory or stored.
            raise DomainError(
                _("The file %(filename)s is larger than %(limit_mb)s MB.")
                % {"filename": upload.name, "limit_mb": f"{limit / (1024 * 1024):g}"},
                code=FILE_TOO_LARGE,
                field=FILE,
            )
        content = upload.read()
        deposit_list = services.upload_list(
            employer=request.user.employer,
            kind=body.validated_data["kind"],
            period=body.validated_data["period"],
            filename=upload.name,
            content=content,
            actor=request.user,
            language=get_language(),
        )
        headers = {"Location": reverse("api:employer-deposit-list", kwargs={"list_id": deposit_list.pk})}
        if deposit_list.status == ListStatus.RECEIVED:
            # Large enough to be checked by a worker: the client follows the progress.
            return _detail(deposit_list, status_code=status.HTTP_202_ACCEPTED, headers=headers)
        return _detail(deposit_list, status_code=status.HTTP_201_CREATED, headers=headers)


class DepositListView(_EmployerView):
    @extend_schema(
        responses={200: DepositListDetailSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
        description="One of the unit's lists with its totals.",
        examples=[
            OpenApiExample(
                "Posted to the accounts",
                value={
                    **_SUBMITTED_EXAMPLE,
                    "status": "POSTED",
                    "status_label": "已入账",
                    "decided_by": "hr-approve",
                    "decided_at": "2026-11-27T10:05:12+08:00",
                    "order_ref": "FPDL0000000812-1",
                    "settled_on": "2026-11-27",
                    "posted_at": "2026-11-27T10:05:19+08:00",
                },
                response_only=True,
            ),
        ],
    )
    def get(self, request, list_id: int):
        return _detail(self.deposit_list(list_id))


class DepositListErrorsView(_EmployerView, ListAPIView):
    pagination_class = ErrorPages
    serializer_class = DepositListErrorSerializer

    def get_queryset(self):
        return list_errors(self.deposit_list(self.kwargs["list_id"]))

    @extend_schema(
        responses={
            200: DepositListErrorSerializer(many=True),
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
        description="Every problem of the list, by row.",
        examples=[OpenApiExample("A name that does not match", value=_ROW_ERROR_EXAMPLE, response_only=True)],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


# --- maker-checker and collection ----------------------------------------------------------------


class _ListActionView(_EmployerView):
    """POST with no body: one service call on the unit's list, answered with the list."""

    def act(self, deposit_list: DepositList, request) -> DepositList:
        raise NotImplementedError

    def post(self, request, list_id: int):
        deposit_list = self.deposit_list(list_id)
        deposit_list = self.act(deposit_list, request)
        return _detail(deposit_list)


_ACTION_REFUSALS = {
    400: OpenApiResponse(ErrorSerializer, description="the request itself is wrong (a field names what)"),
    403: OpenApiResponse(
        ErrorSerializer, description="ROLE_REQUIRED (the other role's step) or SAME_OPERATOR (one's own list)"
    ),
    404: OpenApiResponse(ErrorSerializer, description="the unit has no such list"),
    409: OpenApiResponse(
        ErrorSerializer, description="LIST_STATE, PERIOD_TAKEN or LIST_OUT_OF_DATE: not in this state"
    ),
}


def _action_schema(description: str, request=None, *, examples=()):
    return extend_schema(
        request=request,
        responses={200: DepositListDetailSerializer, **_ACTION_REFUSALS},
        description=description,
        examples=[*examples, _LIST_STATE_EXAMPLE],
    )


class SubmitListView(_ListActionView):
    @_action_schema(
        "The preparer submits a READY list for the approver's decision.",
        examples=[_ACTION_EXAMPLES["submit"]],
    )
    def post(self, request, list_id: int):
        return super().post(request, list_id)

    def act(self, deposit_list, request):
        return services.submit_list(deposit_list=deposit_list, actor=request.user)


class ApproveListView(_ListActionView):
    @_action_schema(
        "The approver (not whoever submitted it) approves a SUBMITTED list: the bank is asked to "
        "collect the amount from the unit's account (COLLECTING, then POSTED or COLLECTION_FAILED).",
        examples=[_ACTION_EXAMPLES["approve"]],
    )
    def post(self, request, list_id: int):
        return super().post(request, list_id)

    def act(self, deposit_list, request):
        return services.approve_list(deposit_list=deposit_list, actor=request.user)


class ReturnListView(_ListActionView):
    @_action_schema(
        "The approver sends a SUBMITTED or COLLECTION_FAILED list back with a reason.",
        request=DepositListReturnSerializer,
        examples=[
            OpenApiExample(
                "A wrong base",
                value={"reason": "陈**的缴存基数应为6000.00元，请更正后重新上传。"},
                request_only=True,
            ),
            _ACTION_EXAMPLES["return"],
        ],
    )
    def post(self, request, list_id: int):
        return super().post(request, list_id)

    def act(self, deposit_list, request):
        body = DepositListReturnSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return services.return_list(
            deposit_list=deposit_list, actor=request.user, reason=body.validated_data["reason"]
        )


class RetryCollectionView(_ListActionView):
    @_action_schema(
        "After a failed debit, the approver asks the bank to collect again (a new order).",
        examples=[_ACTION_EXAMPLES["retry"]],
    )
    def post(self, request, list_id: int):
        return super().post(request, list_id)

    def act(self, deposit_list, request):
        return services.retry_collection(deposit_list=deposit_list, actor=request.user)


class DiscardListView(_ListActionView):
    @_action_schema(
        "The preparer drops a READY or INVALID list that was not submitted.",
        examples=[_ACTION_EXAMPLES["discard"]],
    )
    def post(self, request, list_id: int):
        return super().post(request, list_id)

    def act(self, deposit_list, request):
        return services.discard_list(deposit_list=deposit_list, actor=request.user)
