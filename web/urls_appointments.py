"""Appointments: the hall's counter-booking pages, the public weekend rota and (included from
web/urls_appointments_staff.py) the staff's rota and queue pages; included by web/urls.py."""

from django.urls import include, path

from web import appointments, appointments_public

urlpatterns = [
    path("", include("web.urls_appointments_staff")),
    path("appointments/rota/", appointments_public.rota, name="public-rota"),
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
