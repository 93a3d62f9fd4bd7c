"""In a real browser on a phone-sized screen: a director reads a loan case and gives final approval.

Runs on PostgreSQL when Playwright and Debian's chromium are installed (CI installs both).
"""

import importlib
import os
import shutil

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client

from core.models import PolicyParameter
from loans.models import ApprovalLevel, LoanApplication, LoanStatus
from tests.accounts.factories import PersonFactory
from tests.loans.factories_approval import director, loan_at
from tests.policy import ensure_policy_parameters
from tests.web.test_browser_withdrawal import CHROMIUM, PHONE, fits_the_screen

playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
pytestmark = [
    # A live server reads committed rows; only PostgreSQL empties the insert-only tables after.
    pytest.mark.postgres,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian's chromium is not installed"),
]

LAPTOP = {"width": 1280, "height": 800}


@pytest.fixture
def approver(django_db_setup, transactional_db):
    ensure_policy_parameters()
    defaults = importlib.import_module("core.migrations.0004_seed_loan_approval_policy").DEFAULTS
    for key, value, effective_from, note in defaults:
        PolicyParameter.objects.get_or_create(
            key=key, effective_from=effective_from, defaults={"value": value, "note": note}
        )
    with transaction.atomic():
        return director(username="browser-director")


def _page(playwright, live_server, user, viewport):
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    client = Client()
    client.force_login(user)
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
    context = browser.new_context(viewport=viewport, locale="zh-CN", is_mobile=viewport == PHONE)
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


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_a_director_approves_a_loan_and_sees_the_seal_verify(approver, live_server, tmp_path, viewport):
    loan = loan_at(ApprovalLevel.FINAL, co_borrower=PersonFactory())
    with playwright_api.sync_playwright() as playwright:
        browser, page = _page(playwright, live_server, approver, viewport)
        try:
            page.goto(f"{live_server.url}/staff/loans/")
            assert fits_the_screen(page)
            page.screenshot(path=tmp_path / "queue.png", full_page=True)
            page.goto(f"{live_server.url}/staff/loans/{loan.pk}/")
            assert fits_the_screen(page)
            page.click("#approve-loan")
            page.wait_for_selector("#seal-verifies")
            assert fits_the_screen(page)
            page.screenshot(path=tmp_path / "case.png", full_page=True)
            page.goto(f"{live_server.url}/staff/loans/sla/")
            assert fits_the_screen(page)
            page.goto(f"{live_server.url}/staff/loans/delegations/")
            assert fits_the_screen(page)
            page.screenshot(path=tmp_path / "delegations.png", full_page=True)
        finally:
            browser.close()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    assert LoanApplication.objects.get(pk=loan.pk).status == LoanStatus.APPROVED
