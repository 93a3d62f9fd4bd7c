"""The portal's URLs plus the floors bench/bench_http.py compares the pages with.

None of these exist in the portal's own URLconf:

- ``bench/bare``: a plain JSON view with no database (the reference of the goal);
- ``bench/layout``: the portal's page layout (``base.html``) with an empty content block and no
  database: what any HTML page of the portal costs before it shows anything;
- ``bench/drf``: a Django REST framework view with the API's settings (renderer, exception
  handler, the token throttle, which does nothing without a login) answering anyone a small JSON
  body: what any API answer costs before authentication and data.
"""

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import include, path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView


def bare(request):
    """The floor: Django and the portal's middleware, a view that reads nothing and a small JSON body."""
    return JsonResponse({"status": "ok", "balance": "0.00"})


def layout(request):
    return render(request, "base.html", {})


class DrfFloor(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request):
        return Response({"status": "ok", "balance": "0.00"})


urlpatterns = [
    path("bench/bare", bare, name="bench-bare"),
    path("bench/layout", layout, name="bench-layout"),
    path("bench/drf", DrfFloor.as_view(), name="bench-drf"),
    path("", include("fundportal.urls")),
]
