"""In a real browser, on a phone-sized screen: an employee brings their fund from another city.

Runs when Playwright and Debian's chromium are installed (CI installs both); skipped otherwise.
"""

import os
import shutil
import time

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client

from accounts import roles
from accounts.roles import ensure_roles
from integrations.transfer_platform.sandbox import SandboxTransferPlatform
from integrations.transfer_platform.testing import use_platform
from tests.accounts.factories import FundAccountFactory, UserFactory
from tests.web.phone import fits_the_screen
from transfers.models import IncomingStatus, IncomingTransfer
from transfers.sweep import sweep_transfers
from web.templatetags.portal import yuan

CHROMIUM = "/usr/bin/chromium"
playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
pytestmark = [
    # A live server needs committed rows, and only PostgreSQL can empty the journal's tables
    # afterwards (TRUNCATE); SQLite's insert-only triggers refuse the DELETE a flush would run.
    pytest.mark.postgres,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian's chromium is not installed"),
]

PHONE = {"width": 390, "height": 844}
SANDBOX_DELAY_MS = 300


@pytest.fixture
def newcomer(django_db_setup, transactional_db):
    """An employee with a login and a normal account here (committed: the server reads it)."""
    with transaction.atomic():
        account = FundAccountFactory(base=1000000)
        user = UserFactory(username="browser-newcomer")
        user.groups.add(ensure_roles()[roles.EMPLOYEE])
        account.person.user = user
        account.person.save(update_fields=["user"])
    return account.person


@pytest.fixture
def sandbox(settings):
    """The sandbox platform, its other centres answering after a short delay and always paying."""
    settings.SANDBOX_PLATFORM_DELAY_MS = SANDBOX_DELAY_MS
    settings.SANDBOX_PLATFORM_REFUSAL_RATE = "0"
    settings.SANDBOX_PLATFORM_NEGOTIATION_RATE = "0"
    with use_platform(SandboxTransferPlatform()) as platform:
        yield platform


@pytest.fixture
def browser_page(django_db_setup, live_server, newcomer):
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still
    # synchronous and safe, which Django cannot tell by itself.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    client = Client()
    client.force_login(newcomer.user)
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        page = context.new_page()
        yield page
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def sweep_until_completed(person, *, within_s: float = 10) -> IncomingTransfer:
    """Run the minute sweep, as beat would, until the sandbox's sending centre has paid."""
    deadline = time.monotonic() + within_s
    while True:
        sweep_transfers()
        transfer = IncomingTransfer.objects.get(person=person)
        if transfer.status == IncomingStatus.COMPLETED or time.monotonic() > deadline:
            return transfer
        time.sleep(SANDBOX_DELAY_MS / 1000)


class TestTransferInTheBrowser:
    def test_an_employee_applies_and_sees_the_money_credited(
        self, browser_page, live_server, newcomer, sandbox
    ):
        page = browser_page

        page.goto(f"{live_server.url}/hall/")
        page.click("#transfers-link")
        assert "无需提供任何其他材料" in page.inner_text("#apply-card")
        assert fits_the_screen(page)
        page.select_option("#sending-city", "310000")
        page.click("#apply-submit")
        page.wait_for_selector("#timeline")
        assert "已通过全国转移接续平台向上海市 (310000)公积金中心发出联系函" in page.inner_text("#timeline")

        transfer = sweep_until_completed(newcomer)
        page.reload()

        assert transfer.status == IncomingStatus.COMPLETED
        assert page.inner_text("#transfer-status") == "已转入"
        assert page.inner_text("#credited-amount") == yuan(transfer.amount)
        assert f"合并缴存月数 {transfer.merged_months} 个月" in page.inner_text("#timeline")
        assert fits_the_screen(page)
