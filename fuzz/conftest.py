"""Fixtures of the API fuzz: a served demo city and bearer tokens got the way a channel app gets them.

The city is ``e2e.city``'s (runserver, a Celery worker with beat, the demo data of ``seed_demo``),
with the second factor on. A token comes from ``POST /api/v1/auth/token``, which answers 202 and
texts a code; the code is read where a developer trying a channel app against the sandbox reads
it: the admin console's list of the sandbox SMS gateway's texts, logged in as the demo's
administrator (password, then the demo authenticator code the login page shows in the sandbox).
Then ``POST /api/v1/auth/token/verify`` gives the token.
"""

from __future__ import annotations

import html
import os
import re
import time

import pytest
import requests

from e2e.city import migrated_template, start_city

CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DEMO_CODE = re.compile(r'id="demo-code">\s*(\d{6})\s*<')
SMS_ROW = re.compile(r"<tr>(.*?)</tr>", re.S)
SMS_TEXT = re.compile(r'class="field-text">(.*?)</td>', re.S)
# The fuzz sends thousands of requests a minute on one token: the per-token budget (120 a minute
# by default) would turn most of them into 429s and test nothing but the throttle, which
# tests/api/test_throttle.py covers. Operators set this rate; the fuzz city sets it high.
FUZZ_TOKEN_RATE = "1000000/minute"


@pytest.fixture(scope="session")
def city():
    previous = os.environ.get("API_TOKEN_RATE")
    os.environ["API_TOKEN_RATE"] = FUZZ_TOKEN_RATE
    try:
        served = start_city("fuzz", migrated_template())
    finally:
        if previous is None:
            os.environ.pop("API_TOKEN_RATE", None)
        else:
            os.environ["API_TOKEN_RATE"] = previous
    yield served
    served.stop()


def _form_post(session: requests.Session, response: requests.Response, data: dict) -> requests.Response:
    """Submit the page's form as a browser would: its CSRF token, and the page as the referer."""
    found = CSRF.search(response.text)
    assert found, f"no form on {response.url}"
    return session.post(
        response.url, data={"csrfmiddlewaretoken": found.group(1), **data}, headers={"Referer": response.url}
    )


@pytest.fixture(scope="session")
def sandbox_texts(city):
    """The demo administrator's web session, to read the sandbox SMS gateway's texts in the admin."""
    admin = city.login(role="admin")
    session = requests.Session()
    page = _form_post(
        session,
        session.get(f"{city.url}/login/"),
        {"username": admin["username"], "password": admin["password"]},
    )
    code = DEMO_CODE.search(page.text)
    assert code, f"the demo authenticator code is not shown at {page.url}"
    page = _form_post(session, page, {"code": code.group(1)})
    assert not page.url.rstrip("/").endswith(("/login", "/authenticator")), f"admin still at {page.url}"

    def latest_text_to(masked_mobile: str) -> str:
        listing = session.get(f"{city.url}/admin/integrations/sandboxsms/")
        listing.raise_for_status()
        # The admin lists the newest text first.
        for row in SMS_ROW.findall(listing.text):
            if masked_mobile in row and (text := SMS_TEXT.search(row)):
                return html.unescape(text.group(1))
        raise AssertionError(f"no sandbox text to {masked_mobile}")

    return latest_text_to


@pytest.fixture(scope="session")
def token_of(city, sandbox_texts):
    """``token_of(role=..., persona=...)``: a bearer token of a demo login, through the real API."""
    tokens: dict[tuple, str] = {}

    def token(*, role: str, persona: str | None = None) -> str:
        if (role, persona) in tokens:
            return tokens[role, persona]
        login = city.login(role=role, persona=persona)
        asked = _post_within_throttle(
            f"{city.url}/api/v1/auth/token",
            {"username": login["username"], "password": login["password"]},
        )
        assert asked.status_code in (200, 202), asked.text
        body = asked.json()
        if asked.status_code == 202:
            assert body["second_factor"] == "sms", body
            code = CODE.search(sandbox_texts(body["sent_to"]))
            assert code, "no six-digit code in the sandbox text"
            verified = _post_within_throttle(
                f"{city.url}/api/v1/auth/token/verify",
                {"challenge": body["challenge"], "code": code.group(1)},
            )
            assert verified.status_code == 200, verified.text
            body = verified.json()
        tokens[role, persona] = body["token"]
        return body["token"]

    return token


def _post_within_throttle(url: str, body: dict, *, tries: int = 5) -> requests.Response:
    """POST as a well-behaved client does: after a 429, wait as long as Retry-After says and ask again.

    The fuzz itself calls the anonymous token endpoints with generated data from this same address,
    so their throttle may be spent when a later run asks for its real token.
    """
    for _ in range(tries - 1):
        answer = requests.post(url, json=body, timeout=30)
        if answer.status_code != 429:
            return answer
        time.sleep(float(answer.headers.get("Retry-After") or 5) + 0.5)
    return requests.post(url, json=body, timeout=30)
