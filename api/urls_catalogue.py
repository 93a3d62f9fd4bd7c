"""The service catalogue: ``GET /services``, included by api/urls.py."""

urlpatterns: list = []
