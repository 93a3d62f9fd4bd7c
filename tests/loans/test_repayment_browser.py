"""In a real browser on a phone: a borrower prepays from the fund account, settles and checks the certificate.

Runs on PostgreSQL when Playwright and Debian's chromium are installed (CI installs both).
"""

import os
import shutil
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from loans.models import InstalmentStatus, LoanAccount, LoanAccountStatus
from tests.loans.factories_repayment import repaying_loan
from tests.policy import ensure_policy_parameters
from tests.web.test_browser_withdrawal import CHROMIUM, PHONE, fits_the_screen

playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
pytestmark = [
    # A live server reads committed rows; only PostgreSQL empties the insert-only tables after.
    pytest.mark.postgres,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian's chromium is not installed"),
]


@pytest.fixture
def account(django_db_setup, transactional_db):
    """A loan paid out a few days ago (nothing due yet), its borrower holding 200,000 yuan in the fund."""
    ensure_policy_parameters()
    return repaying_loan(disbursed_on=timezone.localdate() - timedelta(days=3), fund_balance=20_000_000)


def _page(playwright, live_server, user):
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    client = Client()
    client.force_login(user)
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, accept_downloads=True)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return browser, context.new_page()


def test_a_borrower_prepays_then_settles_and_the_certificate_verifies(account, live_server, tmp_path):
    loan, borrower = account.application, account.application.applicant.user
    with playwright_api.sync_playwright() as playwright:
        browser, page = _page(playwright, live_server, borrower)
        try:
            page.goto(f"{live_server.url}/hall/loans/{loan.pk}/account/")
            assert fits_the_screen(page)
            page.check("#collection-mode-form input[value=FUND_OFFSET]")
            page.click("#collection-mode-submit")
            page.wait_for_load_state()

            page.click("#prepay-link")
            page.fill("#prepay-amount-form input[name=amount]", "20000")
            page.click("#prepay-preview")
            page.wait_for_selector("#prepay-compare")
            assert fits_the_screen(page)
            page.screenshot(path=tmp_path / "prepay-preview.png", full_page=True)
            page.check("#prepay-form input[name=option][value=SHORTEN_TERM]")
            page.check("#prepay-form input[name=channel][value=FUND_OFFSET]")
            page.click("#prepay-confirm")
            page.wait_for_selector("#schedule-changes")
            assert page.inner_text("#outstanding").replace(",", "") == "100000.00"

            page.click("#settle-link")
            page.check("#settle-form input[name=channel][value=FUND_OFFSET]")
            page.click("#settle-confirm")
            page.wait_for_selector("#settled-banner")
            assert fits_the_screen(page)
            page.screenshot(path=tmp_path / "settled.png", full_page=True)
            code = page.inner_text("#settled-seal-code").strip()
            with page.expect_download() as download:
                page.click("#settled-certificate")
            assert download.value.suggested_filename.endswith(".pdf")

            page.goto(f"{live_server.url}/seals/{code}/")
            assert fits_the_screen(page)
            page.screenshot(path=tmp_path / "seal.png", full_page=True)
            assert account.account_no in page.content()
        finally:
            browser.close()

    account = LoanAccount.objects.get(pk=account.pk)
    assert account.status == LoanAccountStatus.SETTLED
    assert not account.instalments.filter(
        status__in=[InstalmentStatus.DUE, InstalmentStatus.OVERDUE]
    ).exists()
