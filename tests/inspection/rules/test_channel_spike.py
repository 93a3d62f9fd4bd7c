from datetime import datetime, timedelta

import pytest
from django.db import transaction
from freezegun import freeze_time

from audit.models import AuditEvent
from audit.services import record_event
from core.request_context import acting_through
from inspection.rules.base import MEDIUM
from inspection.rules.channel_spike import ChannelSpike

pytestmark = pytest.mark.django_db

NOW = datetime.fromisoformat("2026-11-26T21:45:00+08:00")
ADDRESS = "203.0.113.9"


@pytest.fixture(autouse=True)
def small_floors(settings):
    settings.INSPECTION_CHANNEL_SPIKE_FLOOR = 5
    settings.INSPECTION_CHANNEL_SPIKE_IP_FLOOR = 5


def statements_downloaded(at: datetime, count: int, *, channel="api", source_ip=""):
    """``count`` statement downloads through ``channel`` at ``at``, as the API writes them."""
    with freeze_time(at), acting_through(channel, source_ip=source_ip), transaction.atomic():
        for _ in range(count):
            record_event(actor=None, action="accounts.statement_downloaded", summary="对账单下载")


def spike_this_evening(*, source_ip=""):
    statements_downloaded(NOW - timedelta(minutes=20), 8, source_ip=source_ip)
    # The first event of a new minute triggers the check.
    statements_downloaded(NOW, 1, source_ip=source_ip)
    return AuditEvent.objects.latest("sequence")


class TestChannelSpike:
    def test_is_quiet_when_the_same_hour_was_as_busy_on_the_previous_days(self):
        for days in range(1, 8):
            statements_downloaded(NOW - timedelta(days=days, minutes=10), 9)
        trigger = spike_this_evening()

        findings = ChannelSpike().on_event(trigger)

        assert findings == []

    def test_reports_an_hour_far_busier_than_the_previous_days(self):
        statements_downloaded(NOW - timedelta(days=1, minutes=10), 2)
        trigger = spike_this_evening()

        findings = ChannelSpike().on_event(trigger)

        assert len(findings) == 1
        finding = findings[0]
        assert (finding.rule, finding.severity) == ("channel_spike", MEDIUM)
        assert finding.subject == "channel:api:2026-11-26T21"
        assert finding.evidence["events"] == 9
        assert finding.evidence["same_hour_previous_days"] == [2, 0, 0, 0, 0, 0, 0]

    def test_leaves_the_systems_own_batches_out(self):
        statements_downloaded(NOW - timedelta(minutes=20), 8, channel="system")
        statements_downloaded(NOW, 1, channel="system")

        findings = ChannelSpike().on_event(AuditEvent.objects.latest("sequence"))

        assert findings == []

    def test_checks_once_a_minute_per_channel(self):
        trigger = spike_this_evening()
        statements_downloaded(NOW, 1)

        findings = ChannelSpike().on_event(AuditEvent.objects.latest("sequence"))

        assert ChannelSpike().on_event(trigger) != []
        assert findings == []

    def test_reports_one_address_writing_too_much(self):
        for days in range(1, 8):
            statements_downloaded(NOW - timedelta(days=days, minutes=10), 9)
        trigger = spike_this_evening(source_ip=ADDRESS)

        findings = ChannelSpike().on_event(trigger)

        assert [finding.subject for finding in findings] == [f"ip:{ADDRESS}:2026-11-26"]
        assert findings[0].evidence["events"] == 9

    def test_the_sweep_looks_at_every_hour_of_the_day(self):
        spike_this_evening()

        findings = ChannelSpike().sweep(day=NOW.date())

        assert [finding.subject for finding in findings] == ["channel:api:2026-11-26T21"]

    def test_the_sweep_counts_each_address_by_the_hour(self):
        spike_this_evening(source_ip=ADDRESS)

        findings = ChannelSpike().sweep(day=NOW.date())

        assert f"ip:{ADDRESS}:2026-11-26" in [finding.subject for finding in findings]
        ip_finding = next(finding for finding in findings if finding.subject.startswith("ip:"))
        assert ip_finding.evidence["events"] == 9
        assert ip_finding.evidence["hour_ending"].startswith("2026-11-26T22:00")
