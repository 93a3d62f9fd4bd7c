"""The auditors' pages: who sees them, the list and its refresh, an alert's page and its forms."""

import pytest
from django.urls import reverse

from accounts import roles
from inspection.models import AlertAction, AlertStatus
from inspection.rules.base import CRITICAL, LOW, NETWORK
from tests.inspection.factories import AlertFactory, staff

pytestmark = pytest.mark.django_db

LIST = reverse("web:staff-alerts")


class TestAlertsPage:
    @pytest.mark.parametrize(
        ("role", "status"),
        [
            (roles.STAFF_AUDITOR, 200),
            (roles.ADMIN, 200),
            (roles.STAFF_DIRECTOR, 200),
            (roles.STAFF_DEPUTY_DIRECTOR, 200),
            (roles.STAFF_SECTION_CHIEF, 403),
            (roles.STAFF_CLERK, 403),
            (roles.EMPLOYER_PREPARER, 403),
            (roles.EMPLOYEE, 403),
        ],
    )
    def test_is_for_auditors_admins_and_directors(self, client, role, status):
        client.force_login(staff(role))

        response = client.get(LIST)

        assert response.status_code == status

    def test_sends_a_visitor_to_log_in(self, client):
        response = client.get(LIST)

        assert response.status_code == 302

    def test_lists_live_alerts_newest_first_with_their_owner(self, client, auditor):
        older = AlertFactory(title="Older", raised_at="2026-11-20T02:00Z", owner=auditor)
        newer = AlertFactory(title="Newer", raised_at="2026-11-26T02:00Z")
        AlertFactory(title="Done", status=AlertStatus.CLOSED, closed_at="2026-11-26T03:00Z", close_note="ok")
        client.force_login(auditor)

        page = client.get(LIST).content.decode()

        assert page.index(f'id="alert-{newer.pk}"') < page.index(f'id="alert-{older.pk}"')
        assert "auditor-a" in page
        assert "Done" not in page

    def test_filters_by_severity_and_family(self, client, auditor):
        AlertFactory(title="Critical network", severity=CRITICAL, family=NETWORK)
        AlertFactory(title="Low finance", severity=LOW)
        client.force_login(auditor)

        page = client.get(LIST, {"severity": CRITICAL, "family": NETWORK}).content.decode()

        assert "Critical network" in page
        assert "Low finance" not in page

    def test_asks_for_itself_again_every_15_seconds(self, client, auditor):
        client.force_login(auditor)

        page = client.get(LIST, {"severity": CRITICAL}).content.decode()

        assert 'hx-trigger="every 15s"' in page
        assert f'hx-get="{LIST}?status=live&amp;severity=critical"' in page

    def test_answers_htmx_with_the_list_alone(self, client, auditor):
        AlertFactory(title="Fresh")
        client.force_login(auditor)

        response = client.get(LIST, headers={"HX-Request": "true"})

        page = response.content.decode()
        assert "Fresh" in page
        assert "<html" not in page

    def test_has_no_inline_script_or_style(self, client, auditor):
        AlertFactory()
        client.force_login(auditor)

        page = client.get(LIST).content.decode()

        assert "<script>" not in page
        assert "style=" not in page

    def test_reads_in_english_too(self, client, auditor):
        client.force_login(auditor)

        page = client.get(LIST, headers={"accept-language": "en"}).content.decode()

        assert "Audit alerts" in page


class TestAlertPage:
    def test_shows_the_evidence_and_the_forms_to_an_auditor(self, client, auditor):
        alert = AlertFactory(evidence=[{"card": "6222 **** **** 1234", "sequence": None}])
        client.force_login(auditor)

        page = client.get(reverse("web:staff-alert", args=[alert.pk])).content.decode()

        assert "6222 **** **** 1234" in page
        assert 'id="close-form"' in page
        assert 'id="acknowledge-form"' in page

    def test_links_each_event_involved_to_the_audit_log(self, client, auditor, write_events):
        [event] = write_events("payouts.created")
        alert = AlertFactory(first_sequence=event.sequence, last_sequence=event.sequence)
        client.force_login(auditor)

        page = client.get(reverse("web:staff-alert", args=[alert.pk])).content.decode()

        assert f'href="{reverse("web:staff-audit-event", kwargs={"sequence": event.sequence})}"' in page

    def test_shows_no_forms_to_a_director(self, client, director):
        alert = AlertFactory()
        client.force_login(director)

        page = client.get(reverse("web:staff-alert", args=[alert.pk])).content.decode()

        assert alert.title in page
        assert "close-form" not in page

    def test_is_not_found_for_an_unknown_alert(self, client, auditor):
        client.force_login(auditor)

        assert client.get(reverse("web:staff-alert", args=[999999])).status_code == 404


class TestAlertForms:
    def test_acknowledges_and_goes_back_to_the_alert(self, client, auditor):
        alert = AlertFactory()
        client.force_login(auditor)

        response = client.post(reverse("web:staff-alert-acknowledge", args=[alert.pk]), {"note": ""})

        alert.refresh_from_db()
        assert response.status_code == 302
        assert response["Location"] == reverse("web:staff-alert", args=[alert.pk])
        assert alert.status == AlertStatus.ACKNOWLEDGED

    def test_assigns_to_the_chosen_auditor(self, client, auditor, other_auditor):
        alert = AlertFactory(owner=auditor)
        client.force_login(auditor)

        client.post(reverse("web:staff-alert-assign", args=[alert.pk]), {"assignee": other_auditor.pk})

        alert.refresh_from_db()
        assert alert.owner == other_auditor

    def test_refuses_to_close_without_a_note(self, client, auditor):
        alert = AlertFactory()
        client.force_login(auditor)

        response = client.post(reverse("web:staff-alert-close", args=[alert.pk]), {"note": " "})

        alert.refresh_from_db()
        assert response.status_code == 400
        assert 'id="alert-error"' in response.content.decode()
        assert alert.status == AlertStatus.OPEN

    def test_closes_comments_and_reopens(self, client, auditor):
        alert = AlertFactory()
        client.force_login(auditor)

        client.post(reverse("web:staff-alert-close", args=[alert.pk]), {"note": "Checked with the bank."})
        client.post(reverse("web:staff-alert-comment", args=[alert.pk]), {"note": "Bank letter filed."})
        client.post(reverse("web:staff-alert-reopen", args=[alert.pk]), {"note": "A second payout."})

        alert.refresh_from_db()
        page = client.get(reverse("web:staff-alert", args=[alert.pk])).content.decode()
        assert alert.status == AlertStatus.OPEN
        assert list(
            AlertAction.objects.filter(alert=alert).order_by("pk").values_list("action", flat=True)
        ) == [
            "close",
            "comment",
            "reopen",
        ]
        assert "Bank letter filed." in page

    @pytest.mark.parametrize("name", ["acknowledge", "assign", "comment", "close", "reopen"])
    def test_are_refused_to_a_director(self, client, director, name):
        alert = AlertFactory()
        client.force_login(director)

        response = client.post(reverse(f"web:staff-alert-{name}", args=[alert.pk]), {"note": "x"})

        assert response.status_code == 403
        assert not AlertAction.objects.exists()

    def test_refuse_a_get(self, client, auditor):
        alert = AlertFactory()
        client.force_login(auditor)

        assert client.get(reverse("web:staff-alert-close", args=[alert.pk])).status_code == 405


class TestStaffConsoleLink:
    def test_leads_auditors_to_the_alerts(self, client, auditor):
        client.force_login(auditor)

        page = client.get(reverse("web:staff-home")).content.decode()

        assert f'href="{LIST}" id="nav-alerts"' in page

    def test_is_not_shown_to_a_clerk(self, client):
        client.force_login(staff(roles.STAFF_CLERK))

        page = client.get(reverse("web:staff-home")).content.decode()

        assert "nav-alerts" not in page
