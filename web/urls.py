"""Web pages by audience: public, the employees' hall, employers and staff."""

from django.urls import path

from web import auth, dashboard, eligibility, employer, hall, public, review, staff

app_name = "web"
urlpatterns = [
    path("", public.home, name="home"),
    path("", public.home, name="public-home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("hall/", hall.home, name="hall-home"),
    path("hall/statement/", hall.statement, name="hall-statement"),
    path("hall/check/", eligibility.check, name="hall-check"),
    path("hall/applications/", eligibility.applications, name="hall-applications"),
    path("employer/", employer.home, name="employer-home"),
    path("staff/", staff.home, name="staff-home"),
    path("staff/review/", review.queue, name="staff-review-queue"),
    path("staff/review/<int:pk>/", review.case, name="staff-review-case"),
    path("staff/review/<int:pk>/<slug:action>/", review.act, name="staff-review-act"),
    path("staff/dashboard/", dashboard.dashboard, name="staff-dashboard"),
]
