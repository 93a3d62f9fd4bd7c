"""The catalogue ships published: every item DOMAIN.md §10 lists, each starting where the portal offers it."""

import pytest
from django.urls import NoReverseMatch

from catalogue.models import Category, ServiceItem
from catalogue.selectors import entry_point_path
from web.reasons import INSTANT_REASONS
from web.withdraw import DOCUMENT_REASONS

pytestmark = pytest.mark.django_db

INSTANT_CODES = {
    "WITHDRAW_LEAVING_CITY",
    "WITHDRAW_RETIREMENT",
    "WITHDRAW_LIXIU",
    "WITHDRAW_PURCHASE_IN_CITY",
    "WITHDRAW_RENT",
    "WITHDRAW_LOAN_REPAYMENT_ANNUAL",
    "WITHDRAW_LOAN_REPAYMENT_MONTHLY",
    "TRANSFER_INTRA_CITY",
    "LOAN_PRE_APPLICATION",
    "LOAN_QUOTA_ESTIMATE",
    "LOAN_SCHEDULE_ESTIMATE",
}


class TestSeededCatalogue:
    def test_publishes_at_least_thirty_items(self):
        assert ServiceItem.objects.filter(published=True).count() >= 30

    def test_has_items_in_every_category(self):
        present = set(ServiceItem.objects.values_list("category", flat=True))

        assert present == set(Category.values)

    def test_names_every_item_and_its_office_in_both_languages(self):
        incomplete = ServiceItem.objects.filter(name_en="") | ServiceItem.objects.filter(office_en="")

        assert list(incomplete.values_list("code", flat=True)) == []

    def test_gives_english_materials_wherever_there_are_chinese_ones(self):
        items = ServiceItem.objects.exclude(materials="")

        mismatched = [
            item.code
            for item in items
            if len(item.materials.splitlines()) != len(item.materials_en.splitlines())
        ]
        assert items.exists()
        assert mismatched == []

    def test_every_entry_point_resolves_to_a_page_of_the_portal(self):
        unresolved = []
        for item in ServiceItem.objects.exclude(online_url_name=""):
            try:
                entry_point_path(url_name=item.online_url_name, argument=item.online_url_argument)
            except NoReverseMatch:
                unresolved.append(item.code)

        assert unresolved == []

    def test_starts_the_cross_city_transfer_on_its_hall_page(self):
        item = ServiceItem.objects.get(code="TRANSFER_CROSS_CITY")

        assert entry_point_path(url_name=item.online_url_name) == "/hall/transfers/cross-city/"

    def test_issues_both_certificates_online_in_the_hall(self):
        items = ServiceItem.objects.filter(code__in=["DEPOSIT_CERTIFICATE", "LOAN_SETTLED_CERTIFICATE"])

        assert {entry_point_path(url_name=item.online_url_name) for item in items} == {"/hall/certificates/"}
        assert all(item.fully_online and not item.materials for item in items)

    def test_marks_exactly_the_instant_services_as_approved_in_seconds(self):
        instant = set(ServiceItem.objects.filter(instant=True).values_list("code", flat=True))

        assert instant == INSTANT_CODES

    def test_starts_each_withdrawal_the_hall_offers_on_the_form_for_its_reason(self):
        arguments = set(
            ServiceItem.objects.filter(online_url_name="hall-withdraw-apply").values_list(
                "online_url_argument", flat=True
            )
        )

        assert arguments == set(INSTANT_REASONS) | set(DOCUMENT_REASONS)

    def test_sends_the_heirs_to_a_counter_for_a_withdrawal_on_death(self):
        item = ServiceItem.objects.get(code="WITHDRAW_DEATH")

        assert not item.fully_online
        assert item.online_url_name == ""
        assert item.material_list

    def test_offers_a_counter_booking_for_signing_the_loan_contract(self):
        item = ServiceItem.objects.get(code="LOAN_CONTRACT_SIGNING")

        assert item.appointment_service == "LOAN_SIGNING"
        assert item.online_url_name == ""
