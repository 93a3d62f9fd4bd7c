"""``/appointments``: book a visit to a service counter, see the free slots, list, cancel and move
one's bookings, and read the weekend rota (public), for the mobile app and the mini-programs
(docs/appointments.md)."""

from datetime import date

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import ErrorSerializer
from appointments.rota import weekend_rota
from appointments.selectors import (
    active_services,
    bookable_days,
    booking_of,
    bookings_of,
    may_change,
    offers_of,
    open_slots,
    service_by_code,
)
from appointments.services import (
    NotOfferedHere,
    UnknownService,
    book_appointment,
    cancel_appointment,
    reschedule_appointment,
)


def _person_of(request):
    person = getattr(request.user, "person", None)
    if person is None:
        raise PermissionDenied(_("Only employees can book counter appointments."))
    return person


class CounterSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(source="label", help_text="in the request's language")
    address = serializers.CharField(source="address_label")


class ServiceSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="e.g. LOAN_SIGNING")
    name = serializers.CharField(source="label", help_text="in the request's language")
    slot_minutes = serializers.IntegerField()


class BookableServiceSerializer(ServiceSerializer):
    counters = CounterSerializer(many=True, help_text="the counters that offer it")


class SlotSerializer(serializers.Serializer):
    counter = CounterSerializer()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    capacity = serializers.IntegerField()
    remaining = serializers.IntegerField(help_text="places still free")


class SlotListSerializer(serializers.Serializer):
    service = ServiceSerializer()
    date_from = serializers.DateField(help_text="first day searched (clipped to today)")
    date_to = serializers.DateField(help_text="last day searched (clipped to the booking horizon)")
    slots = SlotSerializer(many=True)


class SlotQuerySerializer(serializers.Serializer):
    service = serializers.CharField(max_length=40)
    counter = serializers.CharField(max_length=20, required=False)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)

    def validate(self, attrs):
        if attrs.get("date_from") and attrs.get("date_to") and attrs["date_to"] < attrs["date_from"]:
            raise serializers.ValidationError(
                {"to": _("The last day comes before the first.")}, code="invalid_range"
            )
        return attrs


class BookingSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    reference = serializers.CharField(help_text="quote it at the counter")
    status = serializers.CharField(help_text="BOOKED, CANCELLED, EXPIRED, ATTENDED, NO_SHOW")
    service = ServiceSerializer()
    counter = CounterSerializer()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    purpose_ref = serializers.CharField(help_text='what the visit is for, e.g. "loan-application:42"')
    may_change = serializers.SerializerMethodField(help_text="can still be cancelled or moved")
    created_at = serializers.DateTimeField()
    cancelled_at = serializers.DateTimeField(allow_null=True)

    def get_may_change(self, booking) -> bool:
        return may_change(booking)


class BookRequestSerializer(serializers.Serializer):
    service = serializers.CharField(max_length=40, help_text="a service code, e.g. LOAN_SIGNING")
    counter = serializers.CharField(max_length=20, help_text="a counter code from /appointments/slots")
    starts_at = serializers.DateTimeField(help_text="a slot's start, as /appointments/slots gives it")
    purpose_ref = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class RescheduleRequestSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    counter = serializers.CharField(
        max_length=20, required=False, help_text="another counter; default the same"
    )


_COUNTER_EXAMPLE = {"code": "siming", "name": "思明服务网点", "address": "厦门市思明区湖滨南路1号"}
_SERVICE_EXAMPLE = {"code": "LOAN_SIGNING", "name": "贷款合同签订", "slot_minutes": 30}
_BOOKING_EXAMPLE = {
    "id": 17,
    "reference": "K7M2Q9XT",
    "status": "BOOKED",
    "service": _SERVICE_EXAMPLE,
    "counter": _COUNTER_EXAMPLE,
    "starts_at": "2026-09-29T09:30:00+08:00",
    "ends_at": "2026-09-29T10:00:00+08:00",
    "purpose_ref": "loan-application:42",
    "may_change": True,
    "created_at": "2026-09-28T10:02:11+08:00",
    "cancelled_at": None,
}
_FULL_EXAMPLE = OpenApiExample(
    "Slot full",
    status_codes=["409"],
    response_only=True,
    value={
        "code": "SLOT_FULL",
        "detail": "该时段已约满，请选择其他时段。",
        "errors": [{"field": "starts_at", "code": "SLOT_FULL", "message": "该时段已约满，请选择其他时段。"}],
    },
)
_CLOSED_EXAMPLE = OpenApiExample(
    "Counter closed",
    status_codes=["400"],
    response_only=True,
    value={
        "code": "COUNTER_CLOSED",
        "detail": "该日为法定节假日，服务网点不办公。",
        "errors": [
            {"field": "starts_at", "code": "COUNTER_CLOSED", "message": "该日为法定节假日，服务网点不办公。"}
        ],
    },
)


class AppointmentServicesView(APIView):
    @extend_schema(
        responses=BookableServiceSerializer(many=True),
        examples=[
            OpenApiExample(
                "Loan signing",
                response_only=True,
                value={**_SERVICE_EXAMPLE, "counters": [_COUNTER_EXAMPLE]},
            )
        ],
        description="What can be booked, and where.",
    )
    def get(self, request):
        rows = [
            {
                "code": service.code,
                "label": service.label,
                "slot_minutes": service.slot_minutes,
                "counters": [offer.counter for offer in offers_of(service)],
            }
            for service in active_services()
        ]
        return Response(BookableServiceSerializer(rows, many=True).data)


class SlotsView(APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("service", str, required=True, description="service code, e.g. LOAN_SIGNING"),
            OpenApiParameter("counter", str, description="one counter's code; without it, every counter"),
            OpenApiParameter("from", date, description="first day (default today)"),
            OpenApiParameter(
                "to", date, description="last day (default the last bookable day, 14 days ahead)"
            ),
        ],
        responses={200: SlotListSerializer, 400: ErrorSerializer},
        examples=[
            OpenApiExample(
                "Free slots",
                response_only=True,
                value={
                    "service": _SERVICE_EXAMPLE,
                    "date_from": "2026-09-29",
                    "date_to": "2026-09-29",
                    "slots": [
                        {
                            "counter": _COUNTER_EXAMPLE,
                            "starts_at": "2026-09-29T09:00:00+08:00",
                            "ends_at": "2026-09-29T09:30:00+08:00",
                            "capacity": 2,
                            "remaining": 1,
                        }
                    ],
                },
            )
        ],
        description="The free slots of a service from opening hours, the working-day calendar (closed on "
        "public holidays, open on adjusted working weekends) and the counters' day overrides.",
    )
    def get(self, request):
        params = request.query_params
        query = SlotQuerySerializer(
            data={
                key: value
                for key, value in {
                    "service": params.get("service"),
                    "counter": params.get("counter"),
                    "date_from": params.get("from"),
                    "date_to": params.get("to"),
                }.items()
                if value not in (None, "")
            }
        )
        if not query.is_valid():
            renamed = {"date_from": "from", "date_to": "to"}
            raise serializers.ValidationError(
                {renamed.get(key, key): value for key, value in query.errors.items()}
            )
        data = query.validated_data
        service = service_by_code(data["service"])
        if service is None:
            raise UnknownService(_("There is no such service to book."), field="service")
        if data.get("counter") and not offers_of(service, data["counter"]):
            raise NotOfferedHere(_("This counter does not offer that service."), field="counter")
        first, last = bookable_days()
        first, last = max(data.get("date_from") or first, first), min(data.get("date_to") or last, last)
        slots = open_slots(service=service, counter_code=data.get("counter"), first=first, last=last)
        body = {
            "service": service,
            "date_from": first,
            "date_to": last,
            "slots": slots,
        }
        return Response(SlotListSerializer(body).data)


class AppointmentsView(APIView):
    @extend_schema(
        request=BookRequestSerializer,
        responses={201: BookingSerializer, 400: ErrorSerializer, 403: ErrorSerializer, 409: ErrorSerializer},
        examples=[
            OpenApiExample(
                "Book",
                request_only=True,
                value={
                    "service": "LOAN_SIGNING",
                    "counter": "siming",
                    "starts_at": "2026-09-29T09:30:00+08:00",
                    "purpose_ref": "loan-application:42",
                },
            ),
            OpenApiExample("Booked", response_only=True, status_codes=["201"], value=_BOOKING_EXAMPLE),
            _FULL_EXAMPLE,
            _CLOSED_EXAMPLE,
        ],
        description="Book a slot. Errors name the field: `service`, `counter` or `starts_at` (SLOT_IN_PAST, "
        "COUNTER_CLOSED, NOT_A_SLOT, SLOT_TOO_FAR_AHEAD, SLOT_FULL) or `service` (ALREADY_BOOKED: one "
        "booking at a time per service).",
    )
    def post(self, request):
        person = _person_of(request)
        body = BookRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        booking = book_appointment(person=person, actor=request.user, **body.validated_data)
        return Response(BookingSerializer(booking).data, status=status.HTTP_201_CREATED)


class MyAppointmentsView(APIView):
    @extend_schema(
        responses=BookingSerializer(many=True),
        examples=[OpenApiExample("My bookings", response_only=True, value=_BOOKING_EXAMPLE)],
        description="The employee's bookings: coming visits first (soonest first), then the others.",
    )
    def get(self, request):
        return Response(BookingSerializer(bookings_of(_person_of(request)), many=True).data)


class AppointmentView(APIView):
    @extend_schema(
        responses={200: BookingSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
        examples=[
            OpenApiExample("A booking", response_only=True, value=_BOOKING_EXAMPLE),
            OpenApiExample(
                "Not the caller's",
                response_only=True,
                status_codes=["404"],
                value={"code": "NOT_FOUND", "detail": "没有找到您的这条预约。", "errors": []},
            ),
        ],
        description="One of the employee's bookings, whatever its status. Another person's booking is "
        "404, as one that does not exist. Employees only (403).",
    )
    def get(self, request, booking_id: int):
        booking = booking_of(_person_of(request), booking_id)
        if booking is None:
            raise NotFound(_("There is no such booking of yours."))
        return Response(BookingSerializer(booking).data)


class CancelAppointmentView(APIView):
    @extend_schema(
        request=None,
        responses={200: BookingSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
        examples=[
            OpenApiExample(
                "Cancelled",
                response_only=True,
                status_codes=["200"],
                value={**_BOOKING_EXAMPLE, "status": "CANCELLED", "may_change": False},
            ),
            OpenApiExample(
                "Too late",
                response_only=True,
                status_codes=["409"],
                value={
                    "code": "TOO_LATE_TO_CHANGE",
                    "detail": "预约开始前60分钟内不能取消或更改。",
                    "errors": [
                        {
                            "field": "starts_at",
                            "code": "TOO_LATE_TO_CHANGE",
                            "message": "预约开始前60分钟内不能取消或更改。",
                        }
                    ],
                },
            ),
        ],
        description="Cancel one of the employee's coming bookings; the place is free again at once.",
    )
    def post(self, request, booking_id: int):
        booking = cancel_appointment(person=_person_of(request), booking_id=booking_id, actor=request.user)
        return Response(BookingSerializer(booking).data)


class RescheduleAppointmentView(APIView):
    @extend_schema(
        request=RescheduleRequestSerializer,
        responses={200: BookingSerializer, 400: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
        examples=[
            OpenApiExample("Move", request_only=True, value={"starts_at": "2026-09-30T14:00:00+08:00"}),
            OpenApiExample(
                "Moved",
                response_only=True,
                status_codes=["200"],
                value={
                    **_BOOKING_EXAMPLE,
                    "starts_at": "2026-09-30T14:00:00+08:00",
                    "ends_at": "2026-09-30T14:30:00+08:00",
                },
            ),
            _FULL_EXAMPLE,
        ],
        description="Move a coming booking to another slot of the same service; the reference stays.",
    )
    def post(self, request, booking_id: int):
        # Whose booking before what the body says: another's answers 404 whatever was sent.
        person = _person_of(request)
        if booking_of(person, booking_id) is None:
            raise NotFound(_("There is no such booking of yours."))
        body = RescheduleRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        booking = reschedule_appointment(
            person=person, booking_id=booking_id, actor=request.user, **body.validated_data
        )
        return Response(BookingSerializer(booking).data)


class PeriodSerializer(serializers.Serializer):
    opens_at = serializers.TimeField(format="%H:%M")
    closes_at = serializers.TimeField(format="%H:%M")


class RotaCounterSerializer(CounterSerializer):
    periods = PeriodSerializer(many=True)


class RotaDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    name = serializers.CharField(help_text="the public holiday's name, or empty")
    counters = RotaCounterSerializer(many=True, help_text="the counters open that day")


class RotaSerializer(serializers.Serializer):
    week = serializers.CharField(help_text="ISO week, e.g. 2026-W40")
    days = RotaDaySerializer(many=True, help_text="the week's weekend days and holidays")
    working_weekend_days = serializers.ListField(
        child=serializers.DateField(), help_text="adjusted working days (调休): every counter open"
    )


class RotaView(APIView):
    permission_classes = (AllowAny,)

    @extend_schema(
        parameters=[OpenApiParameter("week", str, description="ISO week, e.g. 2026-W40 (default this week)")],
        responses={200: RotaSerializer, 400: ErrorSerializer},
        examples=[
            OpenApiExample(
                "A weekend",
                response_only=True,
                value={
                    "week": "2026-W40",
                    "days": [
                        {
                            "date": "2026-10-03",
                            "name": "国庆节",
                            "counters": [
                                {**_COUNTER_EXAMPLE, "periods": [{"opens_at": "09:00", "closes_at": "12:00"}]}
                            ],
                        },
                        {"date": "2026-10-04", "name": "国庆节", "counters": []},
                    ],
                    "working_weekend_days": ["2026-10-10"],
                },
            )
        ],
        description="The weekend rota (周末轮班) of a week: which counters open on its Saturday, Sunday and "
        "public holidays, with their hours. Public: no sign-in needed.",
    )
    def get(self, request):
        rota = weekend_rota(request.query_params.get("week") or None)
        body = {
            "week": rota.code,
            "days": [
                {
                    "date": entry.day,
                    "name": entry.name,
                    "counters": [
                        {
                            "code": cell.counter.code,
                            "label": cell.counter.label,
                            "address_label": cell.counter.address_label,
                            "periods": [{"opens_at": o, "closes_at": c} for o, c in cell.periods],
                        }
                        for cell in rota.open_on(entry.day)
                    ],
                }
                for entry in rota.days
            ],
            "working_weekend_days": [entry.day for entry in rota.working_weekend_days],
        }
        return Response(RotaSerializer(body).data)
