"""Appointments for staff: the weekend rota and the counter queue, included by web/urls_appointments.py."""

from django.urls import path

from web import appointments_staff

urlpatterns = [
    path("staff/appointments/rota/", appointments_staff.rota, name="staff-appointment-rota"),
    path("staff/appointments/rota/copy/", appointments_staff.rota_copy, name="staff-appointment-rota-copy"),
    path("staff/appointments/queue/", appointments_staff.queue, name="staff-appointment-queue"),
    path(
        "staff/appointments/queue/<int:pk>/<slug:action>/",
        appointments_staff.queue_act,
        name="staff-appointment-queue-act",
    ),
]
