"""REST API v1."""

from django.urls import path

from api import applications, auth, me

app_name = "api"
urlpatterns = [
    path("auth/token", auth.TokenView.as_view(), name="token"),
    path("me/account", me.MyAccountView.as_view(), name="me-account"),
    path("me/movements", me.MyMovementsView.as_view(), name="me-movements"),
    path("me/applications", applications.MyApplicationsView.as_view(), name="me-applications"),
    path("me/eligibility", applications.MyEligibilityView.as_view(), name="me-eligibility"),
]
