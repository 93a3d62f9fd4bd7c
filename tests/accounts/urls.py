"""A bare login page for the authentication tests (the portal's own page lives in web/)."""

from django.contrib.admin import site
from django.contrib.auth.views import LoginView
from django.http import HttpResponse
from django.urls import path


class BareLoginView(LoginView):
    """Django's LoginView with the template replaced by a status line."""

    next_page = "/done/"

    def form_invalid(self, form):
        return HttpResponse("invalid login", status=200)


urlpatterns = [
    path("login/", BareLoginView.as_view(), name="login"),
    path("admin/", site.urls),
]
