"""Finding services: words in either language, the filters, and only what is published."""

import pytest

from catalogue.models import ServiceItem
from catalogue.selectors import grouped_by_category, online_path, published_item, service_items_query
from tests.catalogue.factories import ServiceItemFactory

pytestmark = pytest.mark.django_db


def codes(query) -> set[str]:
    return {item.code for item in query}


class TestServiceItemsQuery:
    def test_finds_a_service_by_its_chinese_name(self):
        found = codes(service_items_query(q="租房"))

        assert "WITHDRAW_RENT" in found
        assert "LOAN_APPLICATION" not in found

    def test_finds_a_service_by_english_words_whatever_their_case(self):
        found = codes(service_items_query(q="Paying RENT"))

        assert found == {"WITHDRAW_RENT"}

    def test_finds_a_service_by_its_code(self):
        assert codes(service_items_query(q="transfer_intra")) == {"TRANSFER_INTRA_CITY"}

    def test_looks_in_the_materials_and_the_notes(self):
        by_material = codes(service_items_query(q="劳动能力鉴定"))
        by_note = codes(service_items_query(q="national transfer platform"))

        assert by_material == {"WITHDRAW_INCAPACITY"}
        assert by_note == {"TRANSFER_CROSS_CITY"}

    def test_needs_every_word_to_match(self):
        assert codes(service_items_query(q="租房 贷款")) == set()

    def test_keeps_to_one_category(self):
        loans = list(service_items_query(category="LOANS"))

        assert loans and {item.category for item in loans} == {"LOANS"}

    def test_keeps_to_fully_online_services(self):
        online = list(service_items_query(online=True))
        offline = codes(service_items_query(online=False))

        assert online and all(item.fully_online for item in online)
        assert "LOAN_COMMERCIAL_CONVERSION" in offline

    def test_keeps_to_services_approved_in_seconds(self):
        instant = list(service_items_query(instant=True))

        assert instant and all(item.instant for item in instant)
        assert "WITHDRAW_SERIOUS_ILLNESS" not in codes(instant)

    def test_leaves_out_unpublished_items(self):
        ServiceItem.objects.filter(code="WITHDRAW_RENT").update(published=False)

        assert "WITHDRAW_RENT" not in codes(service_items_query())
        assert "WITHDRAW_RENT" not in codes(service_items_query(q="租房"))

    def test_lists_deposits_then_withdrawals_then_loans_in_display_order(self):
        items = list(service_items_query())

        categories = [item.category for item in items]
        assert categories == sorted(categories, key=["DEPOSITS", "WITHDRAWALS", "LOANS"].index)
        withdrawals = [item.display_order for item in items if item.category == "WITHDRAWALS"]
        assert withdrawals == sorted(withdrawals)


class TestGroupedByCategory:
    def test_groups_items_under_their_category_and_drops_empty_categories(self):
        groups = grouped_by_category(service_items_query(q="租房"))

        assert [group.category for group in groups] == ["WITHDRAWALS"]
        assert [item.code for item in groups[0].items] == ["WITHDRAW_RENT"]


class TestPublishedItem:
    def test_finds_a_published_item_by_its_code(self):
        assert published_item("WITHDRAW_RENT").name == "租房提取"

    def test_finds_nothing_for_an_unpublished_or_unknown_code(self):
        ServiceItem.objects.filter(code="WITHDRAW_RENT").update(published=False)

        assert published_item("WITHDRAW_RENT") is None
        assert published_item("NO_SUCH_THING") is None


class TestOnlinePath:
    def test_resolves_a_page_that_takes_the_withdrawal_reason(self):
        assert online_path(published_item("WITHDRAW_RENT")) == "/hall/withdraw/RENT/"

    def test_is_none_for_an_item_done_at_a_counter(self):
        assert online_path(published_item("WITHDRAW_DEATH")) is None

    def test_is_none_for_a_page_name_that_does_not_resolve(self):
        item = ServiceItemFactory(online_url_name="hall-no-such-page", fully_online=True)

        assert online_path(item) is None
