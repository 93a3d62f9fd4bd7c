"""Statements: the hall's movement statement, balance chart and yearly summary, included by web/urls.py."""

from django.urls import path, re_path

from web import statements

urlpatterns: list = [
    path("hall/statement/", statements.statement, name="hall-statement"),
    path("hall/statement/yearly/", statements.yearly, name="hall-statement-yearly"),
    re_path(r"^hall/statement\.(?P<fmt>csv|xlsx|pdf)$", statements.download, name="hall-statement-download"),
]
