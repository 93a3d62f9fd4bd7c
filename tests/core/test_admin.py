from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import CalendarDay, CalendarYear, PolicyParameter

pytestmark = pytest.mark.django_db


class TestPolicyParameterAdmin:
    def test_adds_a_version_taking_an_amount_in_yuan(self, admin_client, admin_user):
        effective_from = timezone.localdate() + timedelta(days=30)

        response = admin_client.post(
            reverse("admin:core_policyparameter_add"),
            {
                "key": "withdrawal.rent.monthly_cap",
                "value_text": "2000.00",
                "effective_from": effective_from,
                "note": "",
            },
        )

        assert response.status_code == 302
        row = PolicyParameter.objects.get(key="withdrawal.rent.monthly_cap", effective_from=effective_from)
        assert (row.value, row.created_by) == (200000, admin_user)

    def test_refuses_a_version_dated_in_the_past(self, admin_client):
        response = admin_client.post(
            reverse("admin:core_policyparameter_add"),
            {"key": "deposit.rate.max", "value_text": "0.10", "effective_from": date(2020, 1, 1), "note": ""},
        )

        assert response.status_code == 200
        assert not PolicyParameter.objects.filter(
            key="deposit.rate.max", effective_from=date(2020, 1, 1)
        ).exists()

    def test_refuses_a_rate_written_as_a_percentage(self, admin_client):
        response = admin_client.post(
            reverse("admin:core_policyparameter_add"),
            {
                "key": "deposit.rate.max",
                "value_text": "12",
                "effective_from": timezone.localdate(),
                "note": "",
            },
        )

        assert response.status_code == 200
        assert response.context["adminform"].form.errors["value_text"]

    def test_keeps_the_value_and_date_of_a_version_in_force(self, admin_client):
        row = PolicyParameter.objects.get(key="deposit.rate.max")

        admin_client.post(
            reverse("admin:core_policyparameter_change", args=[row.pk]),
            {
                "key": "deposit.rate.max",
                "value_text": "0.10",
                "effective_from": "2030-01-01",
                "note": "clarified",
            },
        )

        row.refresh_from_db()
        assert (row.value, row.effective_from, row.note) == ("0.12", date(2000, 1, 1), "clarified")

    def test_refuses_to_delete_a_version_in_force(self, admin_client):
        row = PolicyParameter.objects.get(key="deposit.rate.max")

        response = admin_client.post(
            reverse("admin:core_policyparameter_delete", args=[row.pk]), {"post": "yes"}
        )

        assert response.status_code == 403
        assert PolicyParameter.objects.filter(pk=row.pk).exists()

    def test_lists_the_versions(self, admin_client):
        response = admin_client.get(reverse("admin:core_policyparameter_changelist"))

        assert response.status_code == 200


class TestCalendarAdmin:
    def test_records_a_day_entered_by_staff_as_theirs(self, admin_client):
        response = admin_client.post(
            reverse("admin:core_calendarday_add"),
            {"date": "2027-10-01", "is_working_day": "", "name": "国庆节"},
        )

        assert response.status_code == 302
        day = CalendarDay.objects.get(date=date(2027, 10, 1))
        assert (day.is_working_day, day.source) == (False, "staff")

    def test_takes_over_a_package_day_staff_correct(self, admin_client):
        day = CalendarDay.objects.get(date=date(2025, 10, 8))

        admin_client.post(
            reverse("admin:core_calendarday_change", args=[day.pk]),
            {"date": "2025-10-08", "is_working_day": "on", "name": "corrected"},
        )

        day.refresh_from_db()
        assert (day.is_working_day, day.source) == (True, "staff")

    def test_marks_a_year_known(self, admin_client):
        response = admin_client.post(
            reverse("admin:core_calendaryear_add"), {"year": "2027", "complete": "on"}
        )

        assert response.status_code == 302
        assert CalendarYear.objects.filter(year=2027, complete=True, source="staff").exists()


class TestPolicyParameterChangePage:
    def test_shows_a_scheduled_amount_in_yuan_for_editing(self, admin_client):
        row = PolicyParameter.objects.create(
            key="deposit.base.floor", value=215000, effective_from=timezone.localdate() + timedelta(days=60)
        )

        response = admin_client.get(reverse("admin:core_policyparameter_change", args=[row.pk]))

        assert response.status_code == 200
        assert response.context["adminform"].form["value_text"].value() == "2150.00"

    def test_shows_a_version_in_force_read_only(self, admin_client):
        row = PolicyParameter.objects.get(key="deposit.base.floor")

        response = admin_client.get(reverse("admin:core_policyparameter_change", args=[row.pk]))

        assert response.status_code == 200
        assert list(response.context["adminform"].form.fields) == ["note"]
