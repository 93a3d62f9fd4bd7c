"""``/me/withdrawal-lock``: the logged-in employee locks withdrawals at once or asks to unlock."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import withdrawal_lock_state
from accounts.services import lock_withdrawals, request_unlock


class WithdrawalLockSerializer(serializers.Serializer):
    locked = serializers.BooleanField()
    locked_at = serializers.DateTimeField(allow_null=True)
    unlock_requested_at = serializers.DateTimeField(allow_null=True)
    unlocks_at = serializers.DateTimeField(allow_null=True)
    cooling_off_hours = serializers.IntegerField()


_UNLOCKED = {
    "locked": False,
    "locked_at": None,
    "unlock_requested_at": None,
    "unlocks_at": None,
    "cooling_off_hours": 24,
}
_LOCKED = {**_UNLOCKED, "locked": True, "locked_at": "2026-11-27T21:04:10+08:00"}
_UNLOCKING = {
    **_LOCKED,
    "unlock_requested_at": "2026-11-28T09:00:00+08:00",
    "unlocks_at": "2026-11-29T09:00:00+08:00",
}


def _person_of(request):
    person = getattr(request.user, "person", None)
    if person is None:
        raise PermissionDenied(_("Only employees have a fund account."))
    return person


def _state(person) -> dict:
    state = withdrawal_lock_state(person)
    return {
        "locked": state.locked,
        "locked_at": state.locked_at,
        "unlock_requested_at": state.unlock_requested_at,
        "unlocks_at": state.unlocks_at,
        "cooling_off_hours": settings.WITHDRAWAL_UNLOCK_COOLING_OFF_HOURS,
    }


class WithdrawalLockView(APIView):
    @extend_schema(
        responses=WithdrawalLockSerializer,
        description="Whether withdrawals are locked, and until when.",
        examples=[
            OpenApiExample("Not locked", value=_UNLOCKED, response_only=True),
            OpenApiExample("Locked, unlock asked for", value=_UNLOCKING, response_only=True),
        ],
    )
    def get(self, request):
        return Response(WithdrawalLockSerializer(_state(_person_of(request))).data)

    @extend_schema(
        request=None,
        responses=WithdrawalLockSerializer,
        description="Lock withdrawals at once.",
        examples=[OpenApiExample("Locked", value=_LOCKED, response_only=True)],
    )
    def post(self, request):
        person = _person_of(request)
        lock_withdrawals(person=person, actor=request.user)
        return Response(WithdrawalLockSerializer(_state(person)).data)


class WithdrawalUnlockView(APIView):
    @extend_schema(
        request=None,
        responses=WithdrawalLockSerializer,
        description="Ask to unlock: still locked for the cooling-off period (409 when not locked).",
        examples=[
            OpenApiExample("Unlocks after the cooling-off period", value=_UNLOCKING, response_only=True)
        ],
    )
    def post(self, request):
        person = _person_of(request)
        request_unlock(person=person, actor=request.user)
        return Response(WithdrawalLockSerializer(_state(person)).data)
