"""The daily audit report: its figures on crafted data (a posting, a payout, decisions), its pages,
its PDF and the night's sweep that builds it."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from freezegun import freeze_time

from accounts import roles
from approvals.models import DecisionRecord
from audit.models import AuditEvent
from audit.services import record_event
from inspection import selectors
from inspection.models import AuditReport
from inspection.registry import use_rules
from inspection.report import build_daily_report, report_pdf
from inspection.services import close_alert
from tests.approvals.factories import ApplicationFactory
from tests.inspection.factories import AlertFactory, EchoRule, staff
from tests.payouts.factories import funded_account, make_payout

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 25)  # a Wednesday
NOON = datetime(2026, 11, 25, 12, 0, tzinfo=SHANGHAI)


def _decision(
    *, outcome: str, purpose: str = "APPLICATION", decided_by=None, at=NOON, results=(), application=None
):
    application = application or ApplicationFactory()
    return DecisionRecord.objects.create(
        application=application,
        subject=application.applicant,
        purpose=purpose,
        channel="WEB",
        rule_set="RETIREMENT",
        rule_set_version=1,
        applied_on=DAY,
        results=list(results),
        decision_ms=5,
        outcome=outcome,
        decided_by=decided_by,
        decided_at=at,
    )


class TestFinanceFigures:
    def test_count_the_day_s_posting_and_payout_and_find_the_books_balanced(self):
        with freeze_time(NOON):
            account = funded_account(500_000)
            make_payout(account, amount=180_000)

        figures = selectors.finance_figures(day=DAY)

        assert (figures["deposits_posted"], figures["deposits_amount"]) == (1, 500_000)
        assert figures["payouts"]["created"] == {"count": 1, "amount": 180_000}
        assert figures["payouts"]["paid"] == {"count": 0, "amount": 0}
        assert figures["balanced"] is True
        assert figures["debit_total"] == figures["credit_total"] > 0
        assert figures["fund_balance_cached"] == figures["fund_balance_journal"] == 320_000
        assert figures["fund_balances_agree"] is True

    def test_leave_out_another_day(self):
        with freeze_time(datetime(2026, 11, 26, 0, 30, tzinfo=SHANGHAI)):
            funded_account(500_000)

        figures = selectors.finance_figures(day=DAY)

        assert figures["deposits_posted"] == 0
        assert figures["day_debit"] == 0


class TestApprovalFigures:
    def test_count_automatic_and_staff_decisions_and_those_out_of_hours(self):
        clerk = staff(roles.STAFF_CLERK)
        _decision(outcome="APPROVE")
        _decision(outcome="APPROVE")
        _decision(outcome="REFER")
        _decision(outcome="REJECT")
        _decision(outcome="APPROVE", purpose="REVIEW", decided_by=clerk)
        _decision(
            outcome="REJECT",
            purpose="REVIEW",
            decided_by=clerk,
            at=datetime(2026, 11, 25, 22, 15, tzinfo=SHANGHAI),
        )

        figures = selectors.approval_figures(day=DAY)

        assert (figures["auto_approved"], figures["referred"], figures["auto_rejected"]) == (2, 1, 1)
        assert (figures["staff_decisions"], figures["staff_approved"], figures["staff_rejected"]) == (2, 1, 1)
        assert figures["outside_working_hours"] == 1
        assert figures["overrides"] == 0

    def test_count_a_staff_approval_against_a_failed_rule_as_an_override(self):
        clerk = staff(roles.STAFF_CLERK)
        application = ApplicationFactory()
        _decision(outcome="REFER", application=application, results=[{"rule": "RETIRED", "status": "FAIL"}])
        _decision(outcome="APPROVE", purpose="REVIEW", decided_by=clerk, application=application)

        figures = selectors.approval_figures(day=DAY)

        assert figures["overrides"] == 1


class TestNetworkFigures:
    def test_count_the_day_s_events_and_unmasked_views(self):
        with freeze_time(NOON), transaction.atomic():
            record_event(actor=None, action="privacy.unmasked", summary="shown")
            record_event(actor=None, action="payouts.created", summary="created")

        figures = selectors.network_figures(day=DAY)

        assert figures["events"] == 2
        assert figures["unmask_accesses"] == 1
        assert figures["failed_logins"] == 0


class TestAlertFigures:
    def test_count_alerts_raised_and_closed_by_rule_and_severity(self, auditor):
        with freeze_time(NOON):
            AlertFactory(rule="payout.card", severity="high")
            closed = AlertFactory(rule="payout.card", severity="critical")
            AlertFactory(rule="staff.own_case", severity="medium")
            close_alert(alert_id=closed.pk, actor=auditor, note="The card is hers.")

        figures = selectors.alert_figures(day=DAY)

        assert figures["raised"] == 3
        assert figures["raised_by_rule"] == {"payout.card": 2, "staff.own_case": 1}
        assert figures["closed_by_severity"] == {"critical": 1}
        assert figures["live_at_end"] == 2


class TestBuildDailyReport:
    def test_stores_the_day_s_figures_once_and_records_it(self):
        build_daily_report(day=DAY)
        build_daily_report(day=DAY)

        report = AuditReport.objects.get()
        assert report.figures["day"] == "2026-11-25"
        assert set(report.figures) >= {"finance", "network", "approval", "alerts"}
        assert AuditEvent.objects.filter(action="inspection.report_built").count() == 2

    def test_renders_a_pdf_with_the_chinese_font_embedded(self):
        with freeze_time(NOON):
            make_payout(amount=180_000)
        report = build_daily_report(day=DAY)

        document = report_pdf(report)

        assert document.startswith(b"%PDF")
        assert b"NotoSansSC" in document or b"noto" in document.lower()


class TestReportPages:
    def test_list_the_days_and_show_one_with_its_pdf(self, client, auditor):
        with freeze_time(NOON):
            funded_account(500_000)
        build_daily_report(day=DAY)
        client.force_login(auditor)

        listing = client.get(reverse("web:staff-audit-reports")).content.decode()
        page = client.get(reverse("web:staff-audit-report", args=["2026-11-25"])).content.decode()
        pdf = client.get(reverse("web:staff-audit-report-pdf", args=["2026-11-25"]))

        assert 'id="report-2026-11-25"' in listing
        assert "5,000.00" in page
        assert pdf["Content-Type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")

    def test_is_not_found_for_a_day_without_a_report(self, client, auditor):
        client.force_login(auditor)

        assert client.get(reverse("web:staff-audit-report", args=["2026-11-24"])).status_code == 404
        assert client.get(reverse("web:staff-audit-report", args=["yesterday"])).status_code == 404

    def test_is_refused_to_a_clerk(self, client):
        build_daily_report(day=DAY)
        client.force_login(staff(roles.STAFF_CLERK))

        assert client.get(reverse("web:staff-audit-report-pdf", args=["2026-11-25"])).status_code == 403


class TestRunAuditSweepCommand:
    def test_sweeps_the_day_and_builds_its_report(self, capsys):
        rule = EchoRule()

        with use_rules(rule):
            call_command("run_audit_sweep", "--date", "2026-11-25")

        assert rule.swept == [DAY]
        assert AuditReport.objects.filter(day=DAY).exists()
        assert "ledger balanced: yes" in capsys.readouterr().out


class TestNightlySweepTask:
    def test_sweeps_yesterday(self):
        from inspection.tasks import nightly_sweep

        rule = EchoRule()

        with use_rules(rule), freeze_time(datetime(2026, 11, 26, 1, 30, tzinfo=SHANGHAI)):
            nightly_sweep()

        assert rule.swept == [DAY]
        assert AuditReport.objects.filter(day=DAY).exists()
