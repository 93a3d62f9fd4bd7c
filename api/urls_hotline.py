"""The 12329 channels: the SMS keyword webhook and the hotline menu, included by api/urls.py."""

urlpatterns: list = []
