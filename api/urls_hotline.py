"""The 12329 channels: the SMS keyword webhook and the hotline menu, included by api/urls.py."""

from django.urls import path

from api import hotline

urlpatterns: list = [
    path("hotline/sms", hotline.SmsWebhookView.as_view(), name="hotline-sms"),
    path("hotline/ivr", hotline.IvrView.as_view(), name="hotline-ivr"),
]
