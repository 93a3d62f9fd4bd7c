"""On a phone: a person issues a deposit certificate in the hall and downloads it, and the page its
QR code opens says it is genuine, in Chinese, without scrolling sideways."""

import os
import shutil

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client

from tests.deposits.factories_certificate import depositor
from tests.web.phone import fits_the_screen
from tests.web.test_browser_withdrawal import CHROMIUM, PHONE

playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
pytestmark = [
    # A live server reads committed rows; only PostgreSQL empties the insert-only tables after.
    pytest.mark.postgres,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian's chromium is not installed"),
]


@pytest.fixture
def account(django_db_setup, transactional_db):
    with transaction.atomic():
        return depositor()


def test_a_person_issues_and_downloads_a_certificate_and_its_check_page_fits_a_phone(
    account, live_server, tmp_path
):
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    client = Client()
    client.force_login(account.person.user)
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            context = browser.new_context(
                viewport=PHONE, locale="zh-CN", is_mobile=True, accept_downloads=True
            )
            session = client.cookies[settings.SESSION_COOKIE_NAME].value
            context.add_cookies(
                [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
            )
            page = context.new_page()
            page.goto(f"{live_server.url}/hall/certificates/")
            page.check("#issue-form input[value=RENT]")
            page.click("#issue-confirm")
            page.wait_for_selector("#deposit-certificates")
            assert fits_the_screen(page)
            page.screenshot(path=tmp_path / "hall.png", full_page=True)
            code = page.inner_text("#deposit-certificates .seal-code").strip()
            with page.expect_download() as download:
                page.click("#deposit-certificates a[href$='.pdf']")
            assert download.value.suggested_filename == f"deposit-certificate-{code}.pdf"

            visitor = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True).new_page()
            visitor.goto(f"{live_server.url}/certificates/{code}/")
            assert fits_the_screen(visitor)
            visitor.screenshot(path=tmp_path / "check.png", full_page=True)
            assert "证明真实有效" in visitor.inner_text("#certificate-result")
            assert account.person.id_number not in visitor.content()
        finally:
            browser.close()
