"""The staff's audit log: who may read it, the search and its pages, one event, the export."""

import csv
import io

import pytest
from django.db import transaction
from django.urls import reverse
from freezegun import freeze_time

from accounts import roles
from audit.models import AuditEvent
from audit.services import record_event
from core.request_context import acting_through
from tests.accounts.factories import UserFactory
from tests.audit.tampering import disable_triggers
from tests.loans.factories_approval import staff
from web import audit_log

pytestmark = pytest.mark.django_db

ENGLISH = {"accept-language": "en"}


@pytest.fixture
def auditor(client):
    user = staff(roles.STAFF_AUDITOR, username="auditor-1")
    client.force_login(user)
    return user


@pytest.fixture
def events():
    """Three events: a clerk's approval through the web, a text through the SMS channel, a task's."""
    clerk = staff(roles.STAFF_CLERK, username="clerk-7")
    with (
        freeze_time("2026-11-20 09:00:00+08:00"),
        acting_through("web", source_ip="10.0.0.7"),
        transaction.atomic(),
    ):
        approved = record_event(
            actor=clerk,
            action="withdrawals.approve",
            target=clerk,
            summary="审批通过 提取 3502**********123X",
            changes={"status": ["SUBMITTED", "APPROVED"]},
        )
    with freeze_time("2026-11-21 10:00:00+08:00"), acting_through("sms"), transaction.atomic():
        texted = record_event(actor=None, action="hotline.sms_received", summary="12329 短信 138****5678")
    with freeze_time("2026-11-22 02:30:00+08:00"), transaction.atomic():
        settled = record_event(actor=None, action="ledger.settle_interest", summary="结息")
    return approved, texted, settled


def listed(response):
    return [event.sequence for event in response.context["page"].events]


class TestAuditLogAccess:
    @pytest.mark.parametrize(
        "role",
        [
            roles.STAFF_AUDITOR,
            roles.STAFF_DIRECTOR,
            roles.STAFF_DEPUTY_DIRECTOR,
            roles.STAFF_SECTION_CHIEF,
            roles.ADMIN,
        ],
    )
    def test_lets_the_reading_roles_in(self, client, role, events):
        client.force_login(staff(role))

        assert client.get(reverse("web:staff-audit")).status_code == 200
        assert client.get(reverse("web:staff-audit-event", args=[events[0].sequence])).status_code == 200

    @pytest.mark.parametrize("role", [roles.STAFF_CLERK, roles.EMPLOYEE, roles.EMPLOYER_PREPARER])
    def test_refuses_everyone_else(self, client, role, events):
        user = UserFactory()
        user.groups.add(roles.ensure_roles()[role])
        client.force_login(user)

        assert client.get(reverse("web:staff-audit")).status_code == 403
        assert client.get(reverse("web:staff-audit-event", args=[events[0].sequence])).status_code == 403
        assert client.post(reverse("web:staff-audit-export")).status_code == 403

    def test_sends_a_visitor_to_log_in(self, client):
        response = client.get(reverse("web:staff-audit"))

        assert response.status_code == 302


class TestAuditLogSearch:
    def test_lists_the_newest_first(self, client, auditor, events):
        response = client.get(reverse("web:staff-audit"))

        assert listed(response) == [event.sequence for event in reversed(events)]
        assert "审批通过 提取 3502**********123X" in response.content.decode()

    @pytest.mark.parametrize(
        "query, expected",
        [
            ({"text": "短信"}, [1]),
            ({"text": "withdrawals"}, [0]),
            ({"actor": "clerk-7"}, [0]),
            ({"action": "ledger."}, [2]),
            ({"channel": "sms"}, [1]),
            ({"source_ip": "10.0.0.7"}, [0]),
            ({"target_type": "accounts.user"}, [0]),
            ({"date_from": "2026-11-21", "date_to": "2026-11-21"}, [1]),
            ({"date_from": "2026-11-21"}, [2, 1]),
        ],
    )
    def test_filters(self, client, auditor, events, query, expected):
        response = client.get(reverse("web:staff-audit"), query)

        assert listed(response) == [events[i].sequence for i in expected]

    def test_filters_by_record(self, client, auditor, events):
        response = client.get(
            reverse("web:staff-audit"), {"target_type": "accounts.user", "target_id": events[0].target_id}
        )

        assert listed(response) == [events[0].sequence]

    def test_pages_by_sequence_both_ways(self, client, auditor, monkeypatch):
        monkeypatch.setattr(audit_log, "PER_PAGE", 2)
        with transaction.atomic():
            for i in range(5):
                record_event(actor=None, action="x.step", summary=f"step {i}")

        first = client.get(reverse("web:staff-audit"))
        second = client.get(reverse("web:staff-audit"), {"before": first.context["page"].older})
        back = client.get(reverse("web:staff-audit"), {"after": second.context["page"].newer})

        assert listed(first) == [5, 4]
        assert listed(second) == [3, 2]
        assert listed(back) == [5, 4]
        assert first.context["page"].newer is None

    def test_counts_nothing_and_asks_a_bounded_number_of_queries(
        self, client, auditor, events, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(12) as captured:
            client.get(reverse("web:staff-audit"), {"text": "提取"})

        assert not any("COUNT(" in query["sql"].upper() for query in captured.captured_queries)

    def test_says_why_a_search_is_refused(self, client, auditor):
        response = client.get(
            reverse("web:staff-audit"), {"date_from": "2026-11-22", "date_to": "2026-11-01"}, headers=ENGLISH
        )

        assert response.context["page"] is None
        assert "The start date is after the end date." in response.content.decode()

    def test_speaks_chinese_and_english(self, client, auditor, events):
        chinese = client.get(reverse("web:staff-audit")).content.decode()
        english = client.get(reverse("web:staff-audit"), headers=ENGLISH).content.decode()

        assert "审计日志" in chinese
        assert "Audit log" in english


class TestAuditEventPage:
    def test_shows_every_field_the_changes_and_that_the_hash_holds(self, client, auditor, events):
        response = client.get(reverse("web:staff-audit-event", args=[events[0].sequence]), headers=ENGLISH)

        page = response.content.decode()
        assert 'id="hash-valid"' in page
        assert 'id="link-valid"' in page
        assert "SUBMITTED" in page and "APPROVED" in page
        assert "10.0.0.7" in page
        assert "staff_clerk" in page
        assert events[0].hash in page
        assert 'id="event-previous"' not in page
        assert reverse("web:staff-audit-event", args=[events[1].sequence]) in page

    def test_says_when_the_event_was_changed(self, client, auditor, events):
        disable_triggers("audit_auditevent")
        AuditEvent.objects.filter(sequence=events[1].sequence).update(summary="nothing")

        page = client.get(reverse("web:staff-audit-event", args=[events[1].sequence])).content.decode()

        assert 'id="hash-invalid"' in page
        assert 'id="link-valid"' in page

    def test_says_when_an_event_before_it_was_removed(self, client, auditor, events):
        disable_triggers("audit_auditevent")
        AuditEvent.objects.filter(sequence=events[1].sequence).delete()

        page = client.get(reverse("web:staff-audit-event", args=[events[2].sequence])).content.decode()

        assert 'id="hash-valid"' in page
        assert 'id="link-invalid"' in page

    def test_answers_404_for_an_unknown_sequence(self, client, auditor):
        assert client.get(reverse("web:staff-audit-event", args=[999])).status_code == 404


class TestAuditLogExport:
    def test_exports_the_filtered_search_and_records_the_export(self, client, auditor, events):
        response = client.post(reverse("web:staff-audit-export"), {"channel": "web"})

        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert rows[0][:3] == ["sequence", "occurred_at", "actor"]
        assert [row[0] for row in rows[1:]] == [str(events[0].sequence)]
        exported = AuditEvent.objects.get(action="audit.export")
        assert exported.actor == auditor
        assert exported.data["filters"] == {"channel": "web"}
        assert exported.data["rows"] == 1
        assert (exported.channel, exported.source_ip) == ("web", "127.0.0.1")
        assert exported.actor_roles == "staff_auditor"

    def test_stops_at_the_limit(self, client, auditor, events, monkeypatch):
        monkeypatch.setattr("audit.exports.EXPORT_LIMIT", 2)

        response = client.post(reverse("web:staff-audit-export"))

        assert len(list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))) == 3

    def test_quotes_a_cell_a_spreadsheet_would_run_as_a_formula(self, client, auditor):
        with transaction.atomic():
            record_event(actor=None, action="x.y", summary='=HYPERLINK("http://evil")')

        response = client.post(reverse("web:staff-audit-export"), {"action": "x."})

        assert "'=HYPERLINK" in response.content.decode("utf-8-sig")

    def test_refuses_a_get(self, client, auditor):
        assert client.get(reverse("web:staff-audit-export")).status_code == 405


class TestStaffHomeLink:
    def test_links_the_audit_log_for_its_readers_only(self, client):
        client.force_login(staff(roles.STAFF_AUDITOR))
        auditor_page = client.get(reverse("web:staff-home")).content.decode()
        client.force_login(staff(roles.STAFF_CLERK))
        clerk_page = client.get(reverse("web:staff-home")).content.decode()

        assert 'id="nav-audit-log"' in auditor_page
        assert 'id="nav-audit-log"' not in clerk_page
