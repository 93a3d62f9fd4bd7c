"""Anyone reads the catalogue without logging in: grouped, searched, filtered, printable, one page an item."""

import re

import pytest
from django.urls import reverse

from catalogue.models import ServiceItem
from tests.appointments.factories import BookableServiceFactory, counter_offering
from tests.catalogue.factories import ServiceItemFactory

pytestmark = pytest.mark.django_db

ENGLISH = {"accept-language": "en"}


def catalogue(client, headers=None, **query):
    return client.get(reverse("web:catalogue"), query, headers=headers)


def item_page(client, code, headers=None):
    return client.get(reverse("web:catalogue-item", args=[code]), headers=headers)


def listed_codes(page) -> set[str]:
    return set(re.findall(r'<tr id="item-([A-Z0-9_]+)">', page.text))


class TestCataloguePage:
    def test_lists_every_published_service_under_its_category_with_counts(self, client):
        total = ServiceItem.objects.filter(published=True).count()

        page = catalogue(client)

        assert page.status_code == 200
        assert len(listed_codes(page)) == total
        for heading in ("归集", "提取", "贷款"):
            assert f'{heading} <span class="count">' in page.text
        assert f"显示 {total} 项，共 {total} 项" in page.text

    def test_needs_no_login(self, client):
        page = catalogue(client)

        assert page.status_code == 200
        assert "WITHDRAW_RENT" in page.text

    def test_finds_services_by_a_chinese_word(self, client):
        page = catalogue(client, q="租房")

        assert listed_codes(page) == {"WITHDRAW_RENT"}

    def test_finds_services_by_an_english_word_and_shows_them_in_english(self, client):
        page = catalogue(client, headers=ENGLISH, q="lift")

        assert listed_codes(page) == {"WITHDRAW_ELEVATOR"}
        assert "Withdrawal for installing a lift" in page.text

    def test_filters_to_services_approved_in_seconds(self, client):
        instant = set(ServiceItem.objects.filter(instant=True).values_list("code", flat=True))

        page = catalogue(client, instant="on")

        assert listed_codes(page) == instant
        assert f"秒批 {len(instant)} 项" in page.text

    def test_filters_to_one_category_and_to_fully_online_services(self, client):
        expected = set(
            ServiceItem.objects.filter(category="DEPOSITS", fully_online=True).values_list("code", flat=True)
        )

        page = catalogue(client, category="DEPOSITS", online="on")

        assert listed_codes(page) == expected
        assert "UNIT_CLOSURE" not in listed_codes(page)

    def test_says_so_when_nothing_matches(self, client):
        page = catalogue(client, q="没有这种业务")

        assert listed_codes(page) == set()
        assert 'id="catalogue-empty"' in page.text

    def test_shows_everything_for_an_unknown_category_in_the_address(self, client):
        page = catalogue(client, category="NOPE")

        assert len(listed_codes(page)) == ServiceItem.objects.filter(published=True).count()

    def test_hides_unpublished_items(self, client):
        ServiceItem.objects.filter(code="UNIT_CLOSURE").update(published=False)

        page = catalogue(client)

        assert "UNIT_CLOSURE" not in listed_codes(page)

    def test_links_its_print_stylesheet_and_runs_no_inline_script(self, client):
        page = catalogue(client)

        assert "css/catalogue.css" in page.text
        assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page.text) is None

    def test_is_linked_from_the_header_of_the_public_pages(self, client):
        home = client.get(reverse("web:home"))

        assert f'href="{reverse("web:catalogue")}" id="nav-catalogue"' in home.text


class TestPrintStylesheet:
    def test_hides_the_search_form_when_printed(self, settings):
        from pathlib import Path

        css = (Path(settings.BASE_DIR) / "static" / "css" / "catalogue.css").read_text()

        assert "@media print" in css
        assert ".catalogue-search" in css.split("@media print", 1)[1]


class TestItemPage:
    def test_shows_every_field_of_the_item(self, client):
        page = item_page(client, "WITHDRAW_DEATH")

        assert page.status_code == 200
        for text in ("职工死亡或被宣告死亡提取", "继承权或受遗赠权公证书", "3 个工作日", "各管理部服务柜台"):
            assert text in page.text

    def test_links_an_online_service_to_the_page_where_it_starts(self, client):
        page = item_page(client, "WITHDRAW_RENT")

        assert f'href="{reverse("web:hall-withdraw-apply", args=["RENT"])}" id="start-online"' in page.text
        assert "无需材料（数据共享核验）" in page.text
        assert 'id="book-visit"' not in page.text

    def test_links_the_cross_city_transfer_to_its_hall_page(self, client):
        page = item_page(client, "TRANSFER_CROSS_CITY")

        assert f'href="{reverse("web:hall-transfer-cross-city")}" id="start-online"' in page.text

    def test_offers_a_counter_booking_for_a_counter_service_the_counters_take_bookings_for(self, client):
        counter_offering(BookableServiceFactory(), code="siming", name="思明服务网点")

        page = item_page(client, "LOAN_CONTRACT_SIGNING")

        booking = reverse("web:hall-appointment-counter", args=["LOAN_SIGNING"])
        assert f'href="{booking}" id="book-visit"' in page.text
        assert "思明服务网点" in page.text
        assert 'id="start-online"' not in page.text

    def test_names_the_counter_and_the_hotline_when_no_counter_takes_bookings_for_it(self, client):
        page = item_page(client, "LOAN_CONTRACT_SIGNING")

        assert "在服务柜台办理。承办：各管理部服务柜台。" in page.text
        assert 'id="no-booking"' in page.text
        assert 'id="book-visit"' not in page.text

    def test_needs_no_booking_for_a_counter_service_that_is_not_booked(self, client):
        page = item_page(client, "UNIT_CLOSURE")

        assert "在服务柜台办理。承办：归集科。" in page.text
        assert "无需预约" in page.text
        assert 'id="book-visit"' not in page.text and 'id="no-booking"' not in page.text

    def test_shows_no_start_link_when_the_entry_point_does_not_resolve(self, client):
        ServiceItemFactory(code="NOT_DEPLOYED_YET", online_url_name="hall-no-such-page", fully_online=True)

        page = item_page(client, "NOT_DEPLOYED_YET")

        assert page.status_code == 200
        assert 'id="start-online"' not in page.text
        assert "测试事项" in page.text

    def test_speaks_english_when_asked(self, client):
        page = item_page(client, "WITHDRAW_RENT", headers=ENGLISH)

        assert "Withdrawal for paying rent" in page.text
        assert "Withdrawal Section" in page.text
        assert "Start online" in page.text
        assert "Done on the spot" in page.text

    def test_is_not_found_for_an_unknown_or_unpublished_code(self, client):
        ServiceItem.objects.filter(code="UNIT_CLOSURE").update(published=False)

        assert item_page(client, "UNIT_CLOSURE").status_code == 404
        assert item_page(client, "NO_SUCH_SERVICE").status_code == 404
