"""The public loan calculator pages: GET forms anyone can share, in Chinese first and in English."""

import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from freezegun import freeze_time

pytestmark = pytest.mark.django_db

ENGLISH = {"accept-language": "en"}
QUOTA = reverse("web:loan-quota")
SCHEDULE = reverse("web:loan-schedule")


def quota_url(**overrides) -> str:
    query = {
        "balance": "50000",
        "monthly_income": "12000",
        "other_monthly_debt": "1000",
        "house_price": "1500000",
        "home": "first",
        "term_months": "360",
        **overrides,
    }
    return f"{QUOTA}?{urlencode(query)}"


def schedule_url(**overrides) -> str:
    query = {"principal": "1000", "rate": "12", "months": "3", "method": "EQUAL_INSTALMENT", **overrides}
    return f"{SCHEDULE}?{urlencode(query)}"


def text_of(html: str, element_id: str) -> str:
    """The text inside the element with this id, tags and surplus spaces removed."""
    tag = re.search(rf'<(\w+)[^>]*id="{element_id}"', html)
    assert tag, f"no element #{element_id}"
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</{tag.group(1)}>', html, re.S)
    assert match, f"no element #{element_id}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


class TestHomePage:
    def test_links_both_calculators(self, client):
        response = client.get(reverse("web:home"))

        assert f'href="{QUOTA}"' in response.text
        assert f'href="{SCHEDULE}"' in response.text


@freeze_time("2026-11-26 10:00:00+08:00")
class TestQuotaPage:
    def test_shows_a_blank_form_in_chinese_without_login(self, client):
        response = client.get(QUOTA)

        assert response.status_code == 200
        assert "公积金贷款额度试算" in response.text
        assert 'id="quota-result"' not in response.text

    def test_shows_every_limit_and_marks_the_one_that_binds(self, client):
        response = client.get(quota_url())

        assert response.status_code == 200
        assert text_of(response.text, "quota-amount") == "600,000.00"
        assert "750,000.00" in response.text  # balance × 15
        assert "1,248,939.30" in response.text  # what 5,000 a month repays
        assert "1,200,000.00" in response.text  # price × 80 %
        assert 'class="limit-city_cap binding"' in response.text
        assert "决定额度" in response.text

    def test_gives_the_rate_and_its_basis(self, client):
        response = client.get(quota_url(home="second", term_months="60"), headers=ENGLISH)

        rate = text_of(response.text, "quota-rate")
        assert "2.525% a year" in rate
        assert "second home" in rate
        assert "term up to 5 years" in rate
        assert "in force since 2025-05-08" in rate

    def test_links_the_schedule_for_the_quota(self, client):
        response = client.get(quota_url())

        link = f"{SCHEDULE}?principal=600000.00&amp;rate=2.6&amp;months=360&amp;method=EQUAL_INSTALMENT"
        assert f'href="{link}"' in response.text

    def test_offers_no_schedule_when_nothing_can_be_lent(self, client):
        response = client.get(quota_url(other_monthly_debt="6000"))

        assert text_of(response.text, "quota-amount") == "0.00"
        assert 'id="schedule-link"' not in response.text

    def test_is_complete_in_english(self, client):
        response = client.get(quota_url(), headers=ENGLISH)

        assert "Loan quota calculator" in response.text
        assert "Balance multiple" in response.text
        assert "Repayment ability" in response.text
        assert "Share of the price" in response.text
        assert "City cap" in response.text
        assert "sets the quota" in response.text
        assert re.search(r"[\u4e00-\u9fff]", _without_language_switch(response.text)) is None

    def test_says_which_fields_are_wrong_and_why_all_at_once(self, client):
        response = client.get(quota_url(term_months="400", house_price="abc"), headers=ENGLISH)

        assert response.status_code == 400
        assert 'id="quota-result"' not in response.text
        price_error = text_of(response.text, "id_house_price_error")
        assert price_error == "Enter an amount in yuan, for example 1800.00."
        assert text_of(response.text, "id_term_months_error") == "Choose a term of 1 to 360 months."

    def test_says_a_co_borrower_s_balance_needs_a_co_borrower_on_that_field(self, client):
        response = client.get(quota_url(co_borrower_balance="1000"), headers=ENGLISH)

        assert response.status_code == 400
        assert "only with a co-borrower" in text_of(response.text, "id_co_borrower_balance_error")

    def test_says_a_term_beyond_thirty_years_is_refused_on_the_term(self, client):
        response = client.get(quota_url(term_months="400"), headers=ENGLISH)

        assert response.status_code == 400
        assert text_of(response.text, "id_term_months_error") == "Choose a term of 1 to 360 months."

    def test_asks_for_a_missing_field(self, client):
        response = client.get(quota_url(balance=""))

        assert response.status_code == 400
        assert text_of(response.text, "id_balance_error") == "该字段是必填项。"


class TestSchedulePage:
    def test_offers_today_s_first_home_rate_in_a_blank_form(self, client):
        with freeze_time("2026-11-26 10:00:00+08:00"):
            response = client.get(SCHEDULE)

        assert response.status_code == 200
        assert 'name="rate" value="2.6"' in response.text
        assert "还款计划试算" in response.text

    def test_shows_the_full_table_and_totals_worked_by_hand(self, client):
        response = client.get(schedule_url())

        assert response.status_code == 200
        assert text_of(response.text, "monthly-payment") == "340.02"
        assert text_of(response.text, "total-interest") == "20.07"
        assert text_of(response.text, "total-payment") == "1,020.07"
        table = response.text.split('id="schedule-table"')[1]
        assert table.count("<tr><td") == 3
        assert '<td class="num">3</td><td class="num">340.03</td>' in table

    def test_shows_the_first_and_last_payment_of_equal_principal(self, client):
        response = client.get(schedule_url(method="EQUAL_PRINCIPAL"))

        assert text_of(response.text, "first-payment") == "343.33"
        assert text_of(response.text, "last-payment") == "336.67"

    def test_draws_principal_and_interest_as_an_svg_without_scripts_or_style_attributes(self, client):
        response = client.get(schedule_url(principal="600000", rate="2.6", months="360"))

        page = response.text
        assert '<svg class="chart"' in page
        assert 'class="area principal"' in page
        assert 'class="area interest"' in page
        assert "<script>" not in page.split("</head>")[1]
        assert " style=" not in page
        assert page.split('id="schedule-table"')[1].count("<tr><td") == 360

    def test_is_complete_in_english(self, client):
        response = client.get(schedule_url(), headers=ENGLISH)

        assert "Repayment schedule calculator" in response.text
        assert "Equal instalments" in response.text
        assert "Principal left" in response.text
        assert re.search(r"[\u4e00-\u9fff]", _without_method_names(response.text)) is None

    def test_says_a_rate_that_is_not_a_percent_is_wrong(self, client):
        response = client.get(schedule_url(rate="2,6%"), headers=ENGLISH)

        assert response.status_code == 400
        assert text_of(response.text, "id_rate_error") == "Enter the annual rate in percent, for example 2.6."

    def test_says_a_term_of_zero_is_wrong_on_the_term(self, client):
        response = client.get(schedule_url(months="0"), headers=ENGLISH)

        assert response.status_code == 400
        assert text_of(response.text, "id_months_error") == "Choose a term of 1 to 360 months."

    def test_asks_for_a_method(self, client):
        response = client.get(schedule_url(method=""), headers=ENGLISH)

        assert response.status_code == 400
        assert "This field is required." in response.text


def _without_language_switch(html: str) -> str:
    """The English page, less the button that offers Chinese (written in Chinese on purpose)."""
    return html.replace('lang="zh-hans">中文<', "")


def _without_method_names(html: str) -> str:
    """The English page, less the switch to Chinese and the methods' Chinese names kept beside the English."""
    return _without_language_switch(html).replace("等额本息", "").replace("等额本金", "")
