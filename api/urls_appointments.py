"""Appointments: the counter-booking endpoints, included by api/urls.py."""

from django.urls import path

from api import appointments

urlpatterns = [
    path(
        "appointments/services", appointments.AppointmentServicesView.as_view(), name="appointment-services"
    ),
    path("appointments/slots", appointments.SlotsView.as_view(), name="appointment-slots"),
    path("appointments/rota", appointments.RotaView.as_view(), name="appointment-rota"),
    path("appointments", appointments.AppointmentsView.as_view(), name="appointments"),
    path("appointments/<int:booking_id>", appointments.AppointmentView.as_view(), name="appointment"),
    path(
        "appointments/<int:booking_id>/cancel",
        appointments.CancelAppointmentView.as_view(),
        name="appointment-cancel",
    ),
    path(
        "appointments/<int:booking_id>/reschedule",
        appointments.RescheduleAppointmentView.as_view(),
        name="appointment-reschedule",
    ),
    path("me/appointments", appointments.MyAppointmentsView.as_view(), name="me-appointments"),
]
