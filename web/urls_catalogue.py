"""The service catalogue (最多跑一趟): public pages, included by web/urls.py."""

urlpatterns: list = []
