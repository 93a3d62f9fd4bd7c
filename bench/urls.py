"""The portal's URLs plus ``bench/bare``: a plain JSON view with no database, for bench/bench_http.py."""

from django.http import JsonResponse
from django.urls import include, path


def bare(request):
    """The floor: Django and the portal's middleware, a view that reads nothing and a small JSON body."""
    return JsonResponse({"status": "ok", "balance": "0.00"})


urlpatterns = [
    path("bench/bare", bare, name="bench-bare"),
    path("", include("fundportal.urls")),
]
