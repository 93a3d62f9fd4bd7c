"""Web pages by audience: public, the employees' hall, employers and staff."""

from django.urls import path

from web import auth, employer, hall, public, staff

app_name = "web"
urlpatterns = [
    path("", public.home, name="home"),
    path("", public.home, name="public-home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("hall/", hall.home, name="hall-home"),
    path("hall/statement/", hall.statement, name="hall-statement"),
    path("employer/", employer.home, name="employer-home"),
    path("staff/", staff.home, name="staff-home"),
]
