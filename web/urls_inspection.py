"""inspection pages, included by web/urls_security.py."""

urlpatterns: list = []
