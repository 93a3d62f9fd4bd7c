"""``POST /transfers/intra-city``: the logged-in employee moves their sealed account to their current unit."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import ErrorSerializer
from transfers.intra_city import request_intra_city_move


class IntraCityRequestSerializer(serializers.Serializer):
    account_no = serializers.CharField(
        required=False,
        help_text="optional: the caller's own account number, as a check; any other is refused (403)",
    )


class AccountMoveSerializer(serializers.Serializer):
    account_no = serializers.CharField(source="account.account_no")
    business_type = serializers.CharField(help_text="06 内部转移")
    kind = serializers.CharField(help_text="MOVE")
    from_unit = serializers.CharField(source="from_employer.name", allow_null=True, default=None)
    to_unit = serializers.CharField(source="to_employer.name")
    moved_on = serializers.DateField()


class IntraCityTransferView(APIView):
    @extend_schema(
        request=IntraCityRequestSerializer,
        responses={
            201: AccountMoveSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
            409: ErrorSerializer,
            503: ErrorSerializer,
        },
        description=(
            "Move the caller's sealed account to the unit the social security register says they work "
            "for now (a unit registered here, unit account normal). Nothing else is asked. Refusals "
            "(409): ACCOUNT_NOT_SEALED, NO_CURRENT_EMPLOYER, EMPLOYER_NOT_REGISTERED, "
            "EMPLOYER_NOT_PAYING, SAME_UNIT; 404 NO_FUND_ACCOUNT; 503 SOURCE_UNAVAILABLE."
        ),
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
