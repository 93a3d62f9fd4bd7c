"""``/employer/deposit-lists…``: a unit's monthly and back-payment lists over the API.

The unit's preparer downloads the pre-filled template, uploads the list and submits it; the
unit's approver approves it (the bank then collects), returns it, or collects again after a
failed debit. Only a unit's operators get here; every lookup goes through their unit, so
another unit's list answers 404 exactly as a list that does not exist. Each view makes one
service call, except the upload, which also checks a small list at once so that the response
carries its problems. The services decide who may act; their refusals keep their stable codes.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
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
from api.fields import YuanField
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


class ListPages(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class ErrorPages(PageNumberPagination):
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
        },
        description="The list pre-filled with the unit's active employees and their current bases "
        "(full ID numbers: the unit's own staff). The download is recorded in the audit trail.",
    )
    def get(self, request):
        query = _TemplateQuerySerializer(data=request.query_params)
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

    @extend_schema(responses=DepositListSerializer(many=True), description="The unit's lists, newest first.")
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
        responses=DepositListDetailSerializer, description="One of the unit's lists with its totals."
    )
    def get(self, request, list_id: int):
        return _detail(self.deposit_list(list_id))


class DepositListErrorsView(_EmployerView, ListAPIView):
    pagination_class = ErrorPages
    serializer_class = DepositListErrorSerializer

    def get_queryset(self):
        return list_errors(self.deposit_list(self.kwargs["list_id"]))

    @extend_schema(
        responses=DepositListErrorSerializer(many=True), description="Every problem of the list, by row."
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


def _action_schema(description: str, request=None):
    return extend_schema(
        request=request,
        responses={200: DepositListDetailSerializer, **_ACTION_REFUSALS},
        description=description,
    )


class SubmitListView(_ListActionView):
    @_action_schema("The preparer submits a READY list for the approver's decision.")
    def post(self, request, list_id: int):
        return super().post(request, list_id)

    def act(self, deposit_list, request):
        return services.submit_list(deposit_list=deposit_list, actor=request.user)


class ApproveListView(_ListActionView):
    @_action_schema(
        "The approver (not whoever submitted it) approves a SUBMITTED list: the bank is asked to "
        "collect the amount from the unit's account (COLLECTING, then POSTED or COLLECTION_FAILED)."
    )
    def post(self, request, list_id: int):
        return super().post(request, list_id)

    def act(self, deposit_list, request):
        return services.approve_list(deposit_list=deposit_list, actor=request.user)


class ReturnListView(_ListActionView):
    @_action_schema(
        "The approver sends a SUBMITTED or COLLECTION_FAILED list back with a reason.",
        request=DepositListReturnSerializer,
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
    @_action_schema("After a failed debit, the approver asks the bank to collect again (a new order).")
    def post(self, request, list_id: int):
        return super().post(request, list_id)

    def act(self, deposit_list, request):
        return services.retry_collection(deposit_list=deposit_list, actor=request.user)


class DiscardListView(_ListActionView):
    @_action_schema("The preparer drops a READY or INVALID list that was not submitted.")
    def post(self, request, list_id: int):
        return super().post(request, list_id)

    def act(self, deposit_list, request):
        return services.discard_list(deposit_list=deposit_list, actor=request.user)
