"""Web pages by audience: public, the employees' hall, employers and staff."""

from django.urls import include, path, re_path

from web import (
    auth,
    card,
    dashboard,
    eligibility,
    employer,
    employer_lists,
    employer_unit,
    hall,
    inbox,
    public,
    review,
    security,
    staff,
    withdraw,
)

app_name = "web"
urlpatterns = [
    path("", include("web.urls_loans")),
    path("", include("web.urls_appointments")),
    path("", public.home, name="home"),
    path("", public.home, name="public-home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("hall/", hall.home, name="hall-home"),
    path("hall/statement/", hall.statement, name="hall-statement"),
    path("hall/check/", eligibility.check, name="hall-check"),
    path("hall/applications/", eligibility.applications, name="hall-applications"),
    path("hall/messages/", inbox.inbox, name="hall-messages"),
    path("hall/messages/read-all/", inbox.read_all, name="hall-messages-read-all"),
    path("hall/messages/<int:pk>/read/", inbox.read, name="hall-message-read"),
    path("hall/security/", security.security, name="hall-security"),
    path("hall/applications/<int:pk>/", withdraw.application, name="hall-application"),
    path("hall/card/", card.card, name="hall-card"),
    path("hall/withdraw/", withdraw.choose, name="hall-withdraw"),
    path("hall/withdraw/<slug:reason>/", withdraw.apply, name="hall-withdraw-apply"),
    path("employer/", employer.home, name="employer-home"),
    path("register/unit/", employer_unit.register_unit, name="unit-register"),
    path("register/unit/done/", employer_unit.unit_registered, name="unit-registered"),
    path("employer/unit/", employer_unit.unit_details, name="employer-unit"),
    path("employer/unit/rates/", employer_unit.change_rates, name="employer-unit-rates"),
    path("employer/staff/", employer_unit.staff, name="employer-staff"),
    path("employer/staff/add/", employer_unit.add_employee, name="employer-staff-add"),
    re_path(
        r"^employer/staff/(?P<account_no>[0-9]{12})/$",
        employer_unit.staff_account,
        name="employer-staff-account",
    ),
    re_path(
        r"^employer/staff/(?P<account_no>[0-9]{12})/base/$",
        employer_unit.change_base,
        name="employer-staff-base",
    ),
    re_path(
        r"^employer/staff/(?P<account_no>[0-9]{12})/seal/$", employer_unit.seal, name="employer-staff-seal"
    ),
    path("employer/lists/", employer_lists.lists, name="employer-lists"),
    path("employer/lists/template/", employer_lists.template, name="employer-lists-template"),
    path("employer/lists/upload/", employer_lists.upload, name="employer-lists-upload"),
    path("employer/lists/<int:pk>/", employer_lists.detail, name="employer-list"),
    path("employer/lists/<int:pk>/progress/", employer_lists.progress, name="employer-list-progress"),
    re_path(
        r"^employer/lists/(?P<pk>[0-9]+)/problems\.(?P<fmt>csv|xlsx)$",
        employer_lists.report,
        name="employer-list-problems",
    ),
    re_path(
        r"^employer/lists/(?P<pk>[0-9]+)/(?P<action>submit|discard|approve|return|retry)/$",
        employer_lists.act,
        name="employer-list-act",
    ),
    path("staff/", staff.home, name="staff-home"),
    path("staff/review/", review.queue, name="staff-review-queue"),
    path("staff/review/<int:pk>/", review.case, name="staff-review-case"),
    path(
        "staff/review/<int:pk>/documents/<int:document_id>/",
        review.document,
        name="staff-review-document",
    ),
    path("staff/review/<int:pk>/<slug:action>/", review.act, name="staff-review-act"),
    path("staff/dashboard/", dashboard.dashboard, name="staff-dashboard"),
]
