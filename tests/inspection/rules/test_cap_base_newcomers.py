from datetime import date

import pytest

from audit.models import AuditEvent
from deposits import services
from deposits.collection import advance_collection
from deposits.models import ListKind, ListStatus
from inspection.rules.base import MEDIUM
from inspection.rules.cap_base_newcomers import CapBaseNewcomers
from tests.accounts.factories import FundAccountFactory
from tests.deposits.conftest import make_unit
from tests.deposits.files import csv_bytes

pytestmark = pytest.mark.django_db

SEPTEMBER = date(2026, 9, 1)
OCTOBER = date(2026, 10, 1)
CAP = "31000.00"


def rows_of(accounts, base):
    return [(a.person.id_number, a.person.name, base, a.account_no) for a in accounts]


def submitted(unit, rows, period, capture):
    with capture(execute=True):
        deposit_list = services.upload_list(
            employer=unit.employer,
            kind=ListKind.MONTHLY,
            period=period,
            filename="list.csv",
            content=csv_bytes(rows),
            actor=unit.preparer,
        )
    deposit_list.refresh_from_db()
    assert deposit_list.status == ListStatus.READY, list(
        deposit_list.errors.values_list("message", flat=True)
    )
    return services.submit_list(deposit_list=deposit_list, actor=unit.preparer)


@pytest.fixture
def unit_paid_for_september(bank, django_capture_on_commit_callbacks):
    unit = make_unit("unit", paid_up_to=date(2026, 8, 1))
    september = submitted(
        unit, rows_of(unit.accounts, "8000.00"), SEPTEMBER, django_capture_on_commit_callbacks
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_list(deposit_list=september, actor=unit.approver)
    september.refresh_from_db()
    bank.settle(september.order_ref, settled_on=date(2026, 9, 8))
    advance_collection(list_id=september.pk)
    return unit


def submitted_event(deposit_list) -> AuditEvent:
    return AuditEvent.objects.get(action="deposits.list_submitted", target_id=str(deposit_list.pk))


class TestCapBaseNewcomers:
    def test_is_quiet_on_newcomers_at_ordinary_bases(
        self, unit_paid_for_september, django_capture_on_commit_callbacks
    ):
        unit = unit_paid_for_september
        newcomers = FundAccountFactory.create_batch(5, employer=unit.employer)
        rows = rows_of(unit.accounts, "8000.00") + rows_of(newcomers, "8000.00")
        october = submitted(unit, rows, OCTOBER, django_capture_on_commit_callbacks)

        findings = CapBaseNewcomers().on_event(submitted_event(october))

        assert findings == []

    def test_is_quiet_on_old_staff_at_the_cap(
        self, unit_paid_for_september, django_capture_on_commit_callbacks
    ):
        unit = unit_paid_for_september
        extra = FundAccountFactory.create_batch(2, employer=unit.employer)
        rows = rows_of(unit.accounts, CAP) + rows_of(extra, "8000.00")
        october = submitted(unit, rows, OCTOBER, django_capture_on_commit_callbacks)

        findings = CapBaseNewcomers().on_event(submitted_event(october))

        assert findings == []

    def test_reports_five_newcomers_all_at_the_cap(
        self, unit_paid_for_september, django_capture_on_commit_callbacks
    ):
        unit = unit_paid_for_september
        newcomers = FundAccountFactory.create_batch(5, employer=unit.employer)
        rows = rows_of(unit.accounts, "8000.00") + rows_of(newcomers, CAP)
        october = submitted(unit, rows, OCTOBER, django_capture_on_commit_callbacks)

        findings = CapBaseNewcomers().on_event(submitted_event(october))

        assert len(findings) == 1
        finding = findings[0]
        assert (finding.rule, finding.severity) == ("cap_base_newcomers", MEDIUM)
        assert finding.subject == f"deposit-list:{october.pk}"
        evidence = finding.evidence
        assert (evidence["rows"], evidence["newcomers"], evidence["newcomers_at_cap"]) == (8, 5, 5)
        assert evidence["cap_fen"] == 3_100_000
        assert sorted(p["account"] for p in evidence["people"]) == sorted(a.account_no for a in newcomers)
        assert all(a.person.name not in str(finding) for a in newcomers)
