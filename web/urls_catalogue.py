"""The service catalogue (最多跑一趟): public pages, included by web/urls.py."""

from django.urls import path

from web import catalogue

urlpatterns: list = [
    path("services/", catalogue.catalogue, name="catalogue"),
    path("services/<str:code>/", catalogue.item, name="catalogue-item"),
]
