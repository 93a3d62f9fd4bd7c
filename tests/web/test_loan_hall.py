"""An employee applies for a fund loan in the hall, their spouse confirms from their own login, and
the applicant books the contract signing; in Chinese first and in English."""

import os
import shutil
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from appointments.selectors import open_slots, service_by_code
from core.models import CalendarYear
from loans.models import LoanApplication, LoanStatus
from tests.appointments.factories import BookableServiceFactory, counter_offering
from tests.loans.factories import CONTRACT_REF, buying, credit, depositor, fund_loan, married
from tests.policy import ensure_policy_parameters
from tests.web.phone import fits_the_screen

pytestmark = pytest.mark.django_db

ENGLISH = {"accept-language": "en"}
CHINESE = {"accept-language": "zh-hans"}
CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}


def form(**overrides):
    data = {
        "consent": "on",
        "property_kind": "NEW",
        "property_ref": "XM2026-0001",
        "property_address": "思明区某路8号",
        "house_price": "3000000",
        "seller_name": "厦门某房地产开发有限公司",
        "seller_account": "6222 0212 3456 7890 128",
        "first_home": "yes",
        "term_months": "240",
        "repayment_method": "EQUAL_INSTALMENT",
        "monthly_income": "20000",
        "other_monthly_debt": "",
        "amount": "",
        "co_borrower_id_number": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def apply(client, headers=ENGLISH, **overrides):
    return client.post(reverse("web:hall-loan-apply"), form(**overrides), headers=headers)


def pre_accepted(client, sources) -> LoanApplication:
    """A depositor logged in on ``client`` whose application was pre-accepted through the page."""
    person = depositor()
    sources(**buying(person), credit_bureau=credit(person))
    client.force_login(person.user)
    apply(client)
    return LoanApplication.objects.get(applicant=person)


class TestApplyPage:
    def test_says_what_is_checked_and_prefills_the_income_from_the_deposit_base(self, client):
        person = depositor()
        client.force_login(person.user)

        response = client.get(reverse("web:hall-loan-apply"), headers=ENGLISH)

        text = response.content.decode()
        assert response.status_code == 200
        assert "The credit bureau: your loans and their repayment record" in text
        assert "Civil affairs: your marital status" in text
        assert 'value="8000.00"' in text  # the factory's deposit base, 8,000 yuan
        assert "28,800.00" in text  # twelve deposits of 2,400 yuan

    def test_is_in_chinese_by_default(self, client):
        person = depositor()
        client.force_login(person.user)

        response = client.get(reverse("web:hall-loan-apply"), headers=CHINESE)

        text = response.content.decode()
        assert "人民银行征信中心：您的贷款及还款记录" in text
        assert "社保" in text and "不动产登记部门：您及配偶名下的房产及购房合同" in text
        assert "申请公积金贷款" in text

    def test_pre_accepts_and_shows_the_quota_the_binding_limit_and_what_remains(self, client, sources):
        person = depositor()
        sources(**buying(person), credit_bureau=credit(person))
        client.force_login(person.user)

        response = apply(client)

        loan = LoanApplication.objects.get(applicant=person)
        assert response.status_code == 302
        assert response.url == reverse("web:hall-loan", args=[loan.pk])
        page = client.get(response.url, headers=ENGLISH).content.decode()
        assert "Pre-accepted" in page
        assert "432,000.00" in page
        assert 'class="limit-balance_multiple binding"' in page
        assert "Book the contract signing appointment" in page
        assert "Credit bureau: Answered" in page

    def test_shows_the_reasons_of_a_rejection(self, client, sources):
        person = depositor()
        sources(**buying(person), credit_bureau=credit(person, loans=[fund_loan()]))
        client.force_login(person.user)

        response = apply(client)

        page = client.get(response.url, headers=ENGLISH).content.decode()
        assert "Rejected" in page
        assert "still repaying a housing fund loan" in page

    def test_refuses_an_amount_above_the_quota_on_its_field(self, client, sources):
        person = depositor()
        sources(**buying(person), credit_bureau=credit(person))
        client.force_login(person.user)

        response = apply(client, amount="500000")

        assert response.status_code == 400
        assert "The most the fund can lend you is 432000.00 yuan" in response.content.decode()
        assert not LoanApplication.objects.exists()

    def test_refuses_without_consent(self, client, sources):
        person = depositor()
        client.force_login(person.user)

        response = apply(client, consent=None)

        assert response.status_code == 400
        assert "Agree to the checks above" in response.content.decode()

    def test_refuses_a_second_open_application(self, client, sources):
        person = depositor()
        sources(**buying(person), credit_bureau=credit(person))
        client.force_login(person.user)
        apply(client)

        response = apply(client)

        assert response.status_code == 409
        assert "already have a loan application in progress" in response.content.decode()


class TestCoBorrowerPages:
    def test_the_spouse_sees_it_among_their_loans_and_confirms(self, client, sources):
        person, spouse = depositor(), depositor()
        sources(**buying(person), credit_bureau=credit(person), civil_affairs=married(person, spouse))
        client.force_login(person.user)
        apply(client, co_borrower_id_number=spouse.id_number)
        loan = LoanApplication.objects.get(applicant=person)
        client.force_login(spouse.user)

        listed = client.get(reverse("web:hall-loans"), headers=ENGLISH).content.decode()
        response = client.post(reverse("web:hall-loan-confirm", args=[loan.pk]), headers=ENGLISH)

        assert "You are co-borrower" in listed
        assert response.status_code == 302
        loan.refresh_from_db()
        assert loan.status == LoanStatus.PRE_ACCEPTED

    def test_the_applicant_cannot_confirm_for_the_spouse(self, client, sources):
        person, spouse = depositor(), depositor()
        sources(**buying(person), credit_bureau=credit(person), civil_affairs=married(person, spouse))
        client.force_login(person.user)
        apply(client, co_borrower_id_number=spouse.id_number)
        loan = LoanApplication.objects.get(applicant=person)

        response = client.post(reverse("web:hall-loan-confirm", args=[loan.pk]), headers=ENGLISH)

        assert response.status_code == 403
        loan.refresh_from_db()
        assert loan.status == LoanStatus.AWAITING_CO_BORROWER

    def test_nobody_else_sees_the_application(self, client, sources):
        loan = pre_accepted(client, sources)
        client.force_login(depositor().user)

        response = client.get(reverse("web:hall-loan", args=[loan.pk]), headers=ENGLISH)

        assert response.status_code == 404


class TestSigningAndWithdrawal:
    def test_books_the_signing_from_the_free_slots_and_withdraws(self, client, sources):
        service = BookableServiceFactory()
        counter_offering(service, code="siming", name="思明服务网点", weekdays=range(7))
        loan = pre_accepted(client, sources)
        today = timezone.localdate()
        slot = open_slots(
            service=service_by_code("LOAN_SIGNING"),
            first=today + timedelta(days=1),
            last=today + timedelta(days=10),
        )[0]

        page = client.get(reverse("web:hall-loan-signing", args=[loan.pk]), headers=ENGLISH)
        booked = client.post(
            reverse("web:hall-loan-signing", args=[loan.pk]),
            {"counter": "siming", "starts_at": slot.starts_at.isoformat()},
            headers=ENGLISH,
        )
        detail = client.get(reverse("web:hall-loan", args=[loan.pk]), headers=ENGLISH).content.decode()
        withdrawn = client.post(reverse("web:hall-loan-withdraw", args=[loan.pk]), headers=ENGLISH)

        assert page.status_code == 200
        assert "思明服务网点" in page.content.decode()
        assert booked.status_code == 302
        assert "Signing booked" in detail
        assert withdrawn.status_code == 302
        loan.refresh_from_db()
        assert loan.status == LoanStatus.WITHDRAWN


class TestResubmitPage:
    def test_shows_the_return_reason_and_sends_the_corrected_application_again(self, client, sources):
        loan = pre_accepted(client, sources)
        LoanApplication.objects.filter(pk=loan.pk).update(status=LoanStatus.RETURNED, note="房价与合同不符")

        page = client.get(reverse("web:hall-loan-resubmit", args=[loan.pk]), headers=CHINESE)
        response = client.post(
            reverse("web:hall-loan-resubmit", args=[loan.pk]),
            {
                key: value
                for key, value in form(house_price="2500000", amount="300000").items()
                if key != "consent"
            },
            headers=ENGLISH,
        )

        assert "房价与合同不符" in page.content.decode()
        assert 'value="3000000.00"' in page.content.decode()
        assert response.status_code == 302
        loan.refresh_from_db()
        assert loan.status == LoanStatus.PRE_ACCEPTED
        assert loan.house_price == 250_000_000


@pytest.fixture
def phone(live_server):
    """A phone-sized Chromium page; skipped without Playwright or Debian's chromium."""
    playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian's chromium is not installed")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the test's own ORM calls beside Playwright's loop
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
        yield context
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def logged_in(context, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    return context.new_page()


# A live server reads committed rows; only PostgreSQL can empty the journal's tables afterwards.
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
class TestLoanHallOnAPhone:
    def test_an_employee_is_pre_accepted_and_books_the_signing_on_a_390_px_screen(
        self, phone, live_server, sources
    ):
        ensure_policy_parameters()
        with transaction.atomic():
            # A flush by an earlier transactional test empties the seeded calendar: the counters
            # take no bookings on a year whose holidays are unknown.
            for year in {timezone.localdate().year, (timezone.localdate() + timedelta(days=31)).year}:
                CalendarYear.objects.update_or_create(
                    year=year, defaults={"source": "staff", "complete": True}
                )
            person = depositor()
            counter_offering(BookableServiceFactory(), code="siming", name="思明服务网点", weekdays=range(7))
        sources(**buying(person), credit_bureau=credit(person))
        page = logged_in(phone, live_server, person.user)

        page.goto(f"{live_server.url}/hall/")
        page.click("#loans-link")
        page.click("#loan-apply-link")
        assert fits_the_screen(page)
        assert "人民银行征信中心：您的贷款及还款记录" in page.inner_text("#loan-sources")
        page.check("#id_consent")
        page.fill("#id_property_ref", CONTRACT_REF)
        page.fill("#id_house_price", "3000000")
        page.fill("#id_seller_name", "厦门某房地产开发有限公司")
        page.fill("#id_seller_account", "6222021234567890128")
        page.click("#loan-apply-submit")
        page.wait_for_selector("#loan-status-value")
        assert page.inner_text("#loan-status-value") == "已预受理"
        assert fits_the_screen(page)
        page.click("#book-signing-link")
        assert fits_the_screen(page)
        page.locator("input[name=starts_at]").first.check()
        page.click("#signing-submit")
        page.wait_for_selector("#loan-signing")

        assert "思明服务网点" in page.inner_text("#loan-signing")
        assert fits_the_screen(page)
        assert LoanApplication.objects.get(applicant=person).signing_booking is not None


class TestMyApplicationsList:
    def test_links_a_loans_eligibility_check_to_the_loan_page(self, client, sources):
        loan = pre_accepted(client, sources)

        page = client.get(reverse("web:hall-applications"), headers=ENGLISH).content.decode()

        assert f'href="{reverse("web:hall-loan", args=[loan.pk])}"' in page
        assert "Fund loan eligibility" in page


class TestContractLinks:
    def test_a_pre_accepted_loan_offers_no_contract_yet(self, client, sources):
        loan = pre_accepted(client, sources)

        page = client.get(reverse("web:hall-loan", args=[loan.pk]), headers=ENGLISH).content.decode()

        assert reverse("web:loan-contract-pdf", args=[loan.pk]) not in page
