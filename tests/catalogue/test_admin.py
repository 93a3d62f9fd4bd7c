"""Staff keep the catalogue in the admin; every change lands on the audit log, and nothing is deleted."""

import pytest
from django.urls import reverse

from accounts import roles
from accounts.roles import ensure_roles
from audit.models import AuditEvent
from catalogue.models import ServiceItem
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def change_form(item: ServiceItem, **changes) -> dict:
    """The change form as the admin posts it for ``item``, with ``changes`` applied."""
    data = {
        "code": item.code,
        "category": item.category,
        "name": item.name,
        "name_en": item.name_en,
        "display_order": item.display_order,
        "materials": item.materials,
        "materials_en": item.materials_en,
        "notes": item.notes,
        "notes_en": item.notes_en,
        "office": item.office,
        "office_en": item.office_en,
        "time_limit_days": item.time_limit_days,
        "online_url_name": item.online_url_name,
        "online_url_argument": item.online_url_argument,
        "appointment_service": item.appointment_service,
        "channels": item.channels,
    }
    flags = {"published": item.published, "fully_online": item.fully_online, "instant": item.instant}
    data.update({name: "on" for name, value in flags.items() if value})
    for name, value in changes.items():
        if name in flags and not value:
            data.pop(name, None)
        elif name in flags:
            data[name] = "on"
        else:
            data[name] = value
    return data


class TestServiceItemAdmin:
    def test_lists_the_items_for_a_superuser(self, admin_client):
        page = admin_client.get(reverse("admin:catalogue_serviceitem_changelist"))

        assert page.status_code == 200
        assert "WITHDRAW_RENT" in page.text

    def test_filters_and_searches_the_list(self, admin_client):
        page = admin_client.get(
            reverse("admin:catalogue_serviceitem_changelist"), {"category__exact": "LOANS", "q": "结清"}
        )

        assert "LOAN_FULL_SETTLEMENT" in page.text
        assert "WITHDRAW_RENT" not in page.text

    def test_records_who_changed_which_field_from_what_to_what(self, admin_client, admin_user):
        item = ServiceItem.objects.get(code="UNIT_CLOSURE")

        response = admin_client.post(
            reverse("admin:catalogue_serviceitem_change", args=[item.pk]),
            change_form(item, time_limit_days=3),
        )

        assert response.status_code == 302
        item.refresh_from_db()
        assert item.time_limit_days == 3
        event = AuditEvent.objects.get(action="catalogue.item_changed")
        assert event.actor == admin_user
        assert event.data == {"code": "UNIT_CLOSURE", "changed": {"time_limit_days": {"from": 5, "to": 3}}}

    def test_records_nothing_when_the_form_is_saved_unchanged(self, admin_client):
        item = ServiceItem.objects.get(code="UNIT_CLOSURE")

        admin_client.post(reverse("admin:catalogue_serviceitem_change", args=[item.pk]), change_form(item))

        assert not AuditEvent.objects.filter(action__startswith="catalogue.").exists()

    def test_records_an_added_item(self, admin_client):
        template = ServiceItem.objects.get(code="UNIT_CLOSURE")

        response = admin_client.post(
            reverse("admin:catalogue_serviceitem_add"),
            change_form(template, code="UNIT_MERGER", name="单位合并"),
        )

        assert response.status_code == 302
        event = AuditEvent.objects.get(action="catalogue.item_added")
        assert event.data == {"code": "UNIT_MERGER", "published": True}

    def test_refuses_an_entry_point_that_is_not_a_page_of_the_portal(self, admin_client):
        item = ServiceItem.objects.get(code="UNIT_CLOSURE")

        response = admin_client.post(
            reverse("admin:catalogue_serviceitem_change", args=[item.pk]),
            change_form(item, online_url_name="hall-withdraw-apply"),
        )

        assert response.status_code == 200
        assert "门户中没有该名称（及该参数）的页面" in response.text
        item.refresh_from_db()
        assert item.online_url_name == ""

    def test_refuses_a_time_limit_on_a_service_approved_in_seconds(self, admin_client):
        item = ServiceItem.objects.get(code="WITHDRAW_RENT")

        response = admin_client.post(
            reverse("admin:catalogue_serviceitem_change", args=[item.pk]),
            change_form(item, time_limit_days=3),
        )

        assert response.status_code == 200
        assert "秒批事项即时办结" in response.text

    def test_withdraws_items_from_the_public_with_an_audited_action(self, admin_client):
        rent = ServiceItem.objects.get(code="WITHDRAW_RENT")

        admin_client.post(
            reverse("admin:catalogue_serviceitem_changelist"),
            {"action": "withdraw", "_selected_action": [rent.pk]},
        )

        rent.refresh_from_db()
        assert rent.published is False
        events = AuditEvent.objects.filter(action="catalogue.item_withdrawn", data__code="WITHDRAW_RENT")
        assert events.count() == 1
        assert admin_client.get(reverse("web:catalogue-item", args=["WITHDRAW_RENT"])).status_code == 404

    def test_toggles_published_in_the_list_and_records_it(self, admin_client):
        rows = list(ServiceItem.objects.order_by("category", "display_order", "code")[:1])
        first = rows[0]
        form = {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000",
            "form-0-id": str(first.pk),
            "form-0-display_order": str(first.display_order),
            "_save": "Save",
        }

        admin_client.post(reverse("admin:catalogue_serviceitem_changelist"), form)

        first.refresh_from_db()
        assert first.published is False
        event = AuditEvent.objects.get(action="catalogue.item_changed")
        assert event.data["changed"] == {"published": {"from": True, "to": False}}

    def test_never_deletes_an_item(self, admin_client):
        item = ServiceItem.objects.get(code="UNIT_CLOSURE")

        response = admin_client.get(reverse("admin:catalogue_serviceitem_delete", args=[item.pk]))

        assert response.status_code == 403


class TestWhoEditsTheCatalogue:
    def test_a_section_chief_may_edit_an_item_and_a_clerk_only_read_it(self):
        groups = ensure_roles()
        chief = UserFactory(is_staff=True)
        chief.groups.add(groups[roles.STAFF_SECTION_CHIEF])
        clerk = UserFactory(is_staff=True)
        clerk.groups.add(groups[roles.STAFF_CLERK])

        assert chief.has_perm("catalogue.change_serviceitem")
        assert clerk.has_perm("catalogue.view_serviceitem")
        assert not clerk.has_perm("catalogue.change_serviceitem")
