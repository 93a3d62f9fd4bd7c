"""Appointments: the hall's counter-booking pages, included by web/urls.py."""

from django.urls import path

from web import appointments

urlpatterns = [
    path("hall/appointments/", appointments.my_appointments, name="hall-appointments"),
    path("hall/appointments/new/", appointments.choose_service, name="hall-appointment-new"),
    path(
        "hall/appointments/new/<str:service>/", appointments.choose_counter, name="hall-appointment-counter"
    ),
    path(
        "hall/appointments/new/<str:service>/<slug:counter>/",
        appointments.choose_slot,
        name="hall-appointment-slots",
    ),
    path(
        "hall/appointments/new/<str:service>/<slug:counter>/confirm/",
        appointments.confirm,
        name="hall-appointment-confirm",
    ),
    path("hall/appointments/<int:pk>/", appointments.detail, name="hall-appointment"),
    path("hall/appointments/<int:pk>/cancel/", appointments.cancel, name="hall-appointment-cancel"),
]
