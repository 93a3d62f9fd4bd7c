"""Statements: the hall's movement statement, balance chart and yearly summary, included by web/urls.py."""

urlpatterns: list = []
