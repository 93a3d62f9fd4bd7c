"""Staff set up counters, services, hours and day overrides in the admin; bookings are read-only there."""

import pytest
from django.urls import reverse

from appointments.models import CounterDay
from tests.appointments.clock import TUESDAY, at
from tests.appointments.factories import booked

pytestmark = pytest.mark.usefixtures("frozen")


def inline_management(prefix: str, total: int) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


class TestAppointmentsAdmin:
    @pytest.mark.parametrize("model", ["counter", "bookableservice", "counterday", "booking"])
    def test_lists_each_kind_of_record(self, admin_client, counter, model):
        booked(at(TUESDAY, 9))

        page = admin_client.get(reverse(f"admin:appointments_{model}_changelist"))

        assert page.status_code == 200

    def test_shows_a_booking_but_never_changes_or_adds_one(self, admin_client, counter):
        booking = booked(at(TUESDAY, 9))

        page = admin_client.get(reverse("admin:appointments_booking_change", args=[booking.pk]))
        add = admin_client.get(reverse("admin:appointments_booking_add"))

        assert page.status_code == 200
        assert booking.reference in page.text
        assert add.status_code == 403

    def test_opens_a_counter_on_a_rota_saturday_with_its_periods(self, admin_client, counter):
        form = {
            "counter": str(counter.pk),
            "date": "2026-10-03",
            "is_open": "on",
            "note": "周末轮班",
            **inline_management("periods", 1),
            "periods-0-opens_at": "09:00",
            "periods-0-closes_at": "12:00",
        }

        response = admin_client.post(reverse("admin:appointments_counterday_add"), form)

        assert response.status_code == 302
        assert CounterDay.objects.get().periods.count() == 1

    def test_refuses_overlapping_periods_on_one_day(self, admin_client, counter):
        form = {
            "counter": str(counter.pk),
            "date": "2026-10-03",
            "is_open": "on",
            **inline_management("periods", 2),
            "periods-0-opens_at": "09:00",
            "periods-0-closes_at": "12:00",
            "periods-1-opens_at": "11:00",
            "periods-1-closes_at": "14:00",
        }

        response = admin_client.post(reverse("admin:appointments_counterday_add"), form)

        assert response.status_code == 200
        assert "同一天的办公时段有重叠" in response.text
        assert not CounterDay.objects.exists()
