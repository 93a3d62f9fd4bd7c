"""Posting to the 12329 endpoints as the gateway and the telephony system do: signed JSON."""

import json
import time

import pytest
from django.conf import settings
from django.urls import reverse

from hotline.signature import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from integrations.sms.fakes import FakeSmsGateway
from integrations.sms.testing import use_sms


def signed_headers(body: bytes, *, secret: str, timestamp: str | None = None) -> dict:
    timestamp = timestamp or str(int(time.time()))
    return {
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret=secret, timestamp=timestamp, body=body),
    }


@pytest.fixture
def gateway():
    with use_sms(FakeSmsGateway()) as fake:
        yield fake


@pytest.fixture
def post_signed(client, django_capture_on_commit_callbacks):
    """``post_signed(url_name, payload, secret=...)``: the response, with the texts it queued sent."""

    def post(url_name: str, payload: dict, *, secret: str, **headers):
        body = json.dumps(payload).encode("utf-8")
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                reverse(url_name),
                data=body,
                content_type="application/json",
                headers={**signed_headers(body, secret=secret), **headers},
            )

    return post


@pytest.fixture
def text_in(post_signed):
    """``text_in(mobile, text, message_id=...)``: the gateway posts one text a citizen sent."""
    counter = iter(range(1, 10_000))

    def send(mobile: str, text: str, *, message_id: str | None = None, **headers):
        payload = {
            "message_id": message_id or f"GW{next(counter):08d}",
            "from": mobile,
            "text": text,
            "received_at": "2026-11-27T09:30:00+08:00",
        }
        return post_signed("api:hotline-sms", payload, secret=settings.SMS_WEBHOOK_SECRET, **headers)

    return send


@pytest.fixture
def call(post_signed):
    """``call(**payload)``: the telephony system posts one step of a hotline call."""

    def step(**payload):
        return post_signed("api:hotline-ivr", payload, secret=settings.IVR_WEBHOOK_SECRET)

    return step
