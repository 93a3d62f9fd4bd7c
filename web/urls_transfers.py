"""Transfers: the person's transfer pages (web hall) and the staff's, included by web/urls.py."""

urlpatterns: list = []
