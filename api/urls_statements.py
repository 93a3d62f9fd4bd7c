"""Statements: the movement statement downloads, included by api/urls.py."""

from django.urls import path

from api import statements

urlpatterns: list = [
    path("me/statement", statements.MyStatementView.as_view(), name="me-statement"),
    path("me/statement/yearly", statements.MyYearlySummaryView.as_view(), name="me-statement-yearly"),
]
