from datetime import date

import pytest
from freezegun import freeze_time

from approvals.services import claim_case, release_case
from audit.models import AuditEvent
from inspection.rules.base import HIGH
from inspection.rules.out_of_hours import StaffOutOfHoursBulk
from tests.approvals.factories import referred_case, staff_user

pytestmark = pytest.mark.django_db

SATURDAY_NIGHT = "2026-11-28T22:00:00+08:00"
FRIDAY_MORNING = "2026-11-27T10:00:00+08:00"


def claim_and_release(times: int):
    case = referred_case()
    reviewer = staff_user(username="reviewer")
    for _ in range(times):
        case = release_case(case=claim_case(case=case, actor=reviewer), actor=reviewer)
    return reviewer


def last_event() -> AuditEvent:
    return AuditEvent.objects.latest("sequence")


class TestStaffOutOfHoursBulk:
    def test_is_quiet_on_the_same_work_in_working_hours(self):
        with freeze_time(FRIDAY_MORNING):
            claim_and_release(11)

            findings = StaffOutOfHoursBulk().on_event(last_event())

        assert findings == []

    def test_is_quiet_on_a_few_changes_at_night(self):
        with freeze_time(SATURDAY_NIGHT):
            claim_and_release(3)

            findings = StaffOutOfHoursBulk().on_event(last_event())

        assert findings == []

    def test_reports_more_than_twenty_changes_in_an_hour_on_a_saturday_night(self):
        with freeze_time(SATURDAY_NIGHT):
            reviewer = claim_and_release(11)

            findings = StaffOutOfHoursBulk().on_event(last_event())

        assert len(findings) == 1
        finding = findings[0]
        assert (finding.rule, finding.severity) == ("staff_out_of_hours_bulk", HIGH)
        assert finding.subject == f"staff:{reviewer.pk}:2026-11-28"
        assert finding.evidence["changes"] == 22
        assert finding.evidence["actions"] == {"approvals.case_claim": 11, "approvals.case_release": 11}

    def test_the_sweep_finds_the_busiest_hour_of_the_night(self):
        with freeze_time(SATURDAY_NIGHT):
            reviewer = claim_and_release(11)

        findings = StaffOutOfHoursBulk().sweep(day=date(2026, 11, 28))

        assert [finding.subject for finding in findings] == [f"staff:{reviewer.pk}:2026-11-28"]
