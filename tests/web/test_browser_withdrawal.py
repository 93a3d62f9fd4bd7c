"""In a real browser, on a phone-sized screen: an employee withdraws in seconds and sees the decision.

Runs when Playwright and Debian's chromium are installed (CI installs both); skipped otherwise.
"""

import os
import shutil
from datetime import date

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.utils import timezone

from accounts import roles
from accounts.roles import ensure_roles
from accounts.services import set_bank_card
from approvals.models import Application, ApplicationStatus
from integrations.gov import ports
from integrations.gov.fakes import FakeSocialSecurity
from tests.accounts.factories import FundAccountFactory, UserFactory
from tests.ledger.factories import deposit
from tests.web.phone import fits_the_screen

CHROMIUM = "/usr/bin/chromium"
playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
pytestmark = [
    # A live server needs committed rows, and only PostgreSQL can empty the journal's tables
    # afterwards (TRUNCATE); SQLite's insert-only triggers refuse the DELETE a flush would run.
    pytest.mark.postgres,
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian's chromium is not installed"),
]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def retiree(django_db_setup, transactional_db):
    """An employee with a login, two deposits and a verified card (committed: the server reads it)."""
    with transaction.atomic():
        account = FundAccountFactory(base=1000000)
        user = UserFactory(username="browser-emp")
        user.groups.add(ensure_roles()[roles.EMPLOYEE])
        account.person.user = user
        account.person.save(update_fields=["user"])
        deposit(account.ledger_account, 240000, key="dep-1")
        deposit(account.ledger_account, 240000, key="dep-2")
    set_bank_card(
        person=account.person, card_number="6222021234567890128", verified_at=timezone.now(), actor=None
    )
    return account.person


@pytest.fixture
def browser_page(django_db_setup, live_server, retiree):
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still
    # synchronous and safe, which Django cannot tell by itself.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    client = Client()
    client.force_login(retiree.user)
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


class TestWithdrawInTheBrowser:
    def test_a_retiree_is_approved_in_seconds_on_a_phone(self, browser_page, live_server, retiree, sources):
        person = retiree
        sources(
            social_security=FakeSocialSecurity(
                retirement={
                    person.id_number: ports.RetirementRecord(retired=True, retired_on=date(2025, 6, 1))
                }
            )
        )
        page = browser_page

        page.goto(f"{live_server.url}/hall/")
        page.click("#withdraw-link")
        assert fits_the_screen(page)
        page.click("#reason-retirement")
        assert "社保部门：您的退休或离休记录" in page.inner_text("#apply-form")
        assert fits_the_screen(page)
        page.check("#consent")
        page.check("#card-confirmed")
        page.click("#apply-submit")
        page.wait_for_selector("#decision-card")

        assert "已批准" in page.inner_text("#decision-card")
        assert "已核查相关信息" in page.inner_text("#timeline")
        assert fits_the_screen(page)
        assert Application.objects.get(applicant=person).status == ApplicationStatus.APPROVED
