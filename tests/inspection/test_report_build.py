"""Auditors build a day's report when they need it, not only at night."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from inspection.models import AuditReport

pytestmark = pytest.mark.django_db


class TestBuildReportNow:
    def test_builds_todays_report_and_shows_it(self, client, auditor):
        client.force_login(auditor)
        today = timezone.localdate()

        response = client.post(
            reverse("web:staff-audit-report-build"), {"day": today.isoformat()}, follow=True
        )

        assert AuditReport.objects.filter(day=today).exists()
        assert response.request["PATH_INFO"] == reverse("web:staff-audit-report", args=[today.isoformat()])

    def test_refuses_a_day_to_come(self, client, auditor):
        client.force_login(auditor)
        tomorrow = timezone.localdate() + timedelta(days=1)

        client.post(reverse("web:staff-audit-report-build"), {"day": tomorrow.isoformat()})

        assert not AuditReport.objects.exists()

    def test_refuses_a_day_that_is_no_date(self, client, auditor):
        client.force_login(auditor)

        response = client.post(reverse("web:staff-audit-report-build"), {"day": "yesterday"}, follow=True)

        assert not AuditReport.objects.exists()
        assert "YYYY-MM-DD" in response.text
