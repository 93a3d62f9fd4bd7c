"""A unit's operators handle monthly lists over the API: template, upload, check, maker-checker."""

import csv
import io
from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook
from rest_framework.test import APIClient

from accounts.roles import EMPLOYER_APPROVER
from api import deposits as deposits_api
from audit.models import AuditEvent
from deposits.collection import advance_collection
from deposits.models import DepositList, ListStatus
from integrations.bank import ports
from tests.deposits.conftest import PASSWORD, make_unit
from tests.deposits.files import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def unit(db):
    return make_unit("api")


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def rows_of(accounts, *, base="8000.00"):
    return [(a.person.id_number, a.person.name, base, a.account_no) for a in accounts]


def upload(user, content, *, period="2026-10", kind=None, filename="list.csv", **headers):
    data = {"file": SimpleUploadedFile(filename, content), "period": period}
    if kind is not None:
        data["kind"] = kind
    return client_of(user).post(
        reverse("api:employer-deposit-lists"), data, format="multipart", headers=headers
    )


def ready_list(unit) -> int:
    response = upload(unit.preparer, csv_bytes(rows_of(unit.accounts)))
    assert response.json()["status"] == "READY"
    return response.json()["id"]


def act(user, list_id, action, data=None):
    return client_of(user).post(
        reverse(f"api:employer-deposit-list-{action}", kwargs={"list_id": list_id}), data or {}, format="json"
    )


def collect(bank, list_id, order_ref, **settlement):
    """The collection task's work step by step: submit the order, the bank settles, read the result."""
    advance_collection(list_id=list_id)
    bank.settle(order_ref, **settlement)
    advance_collection(list_id=list_id)


def detail(user, list_id):
    return client_of(user).get(reverse("api:employer-deposit-list", kwargs={"list_id": list_id}))


def template(user, **query):
    return client_of(user).get(reverse("api:employer-deposit-list-template"), query)


class TestTemplateDownload:
    def test_gives_the_xlsx_of_the_units_next_month_by_default(self, unit):
        response = template(unit.preparer)

        assert response.status_code == 200
        assert response["Content-Type"] == XLSX
        assert response["Content-Disposition"] == (
            f'attachment; filename="deposit-list-{unit.employer.unit_account_no}-2026-10.xlsx"'
        )
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
        assert sheet[0] == ["身份证号", "姓名", "缴存基数", "个人账号"]
        assert sorted(row[0] for row in sheet[1:]) == sorted(a.person.id_number for a in unit.accounts)

    def test_gives_a_csv_for_the_month_asked(self, unit):
        response = template(unit.approver, period="2026-07", format="csv")

        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"].endswith('-2026-07.csv"')
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0] == ["身份证号", "姓名", "缴存基数", "个人账号"]
        assert len(rows) == 1 + len(unit.accounts)

    def test_starts_a_unit_that_never_paid_with_the_current_month(self, db):
        first_timer = make_unit("new", paid_up_to=None)

        response = template(first_timer.preparer, format="csv")

        assert response["Content-Disposition"].endswith(f'-{timezone.localdate():%Y-%m}.csv"')

    def test_is_recorded_in_the_audit_trail(self, unit):
        template(unit.preparer, period="2026-10", format="csv")

        event = AuditEvent.objects.get(action="deposits.template_downloaded")
        assert event.actor == unit.preparer
        assert (event.data["period"], event.data["format"]) == ("2026-10-01", "csv")

    def test_is_never_kept_by_a_shared_cache(self, unit):
        response = template(unit.preparer)

        assert response["Cache-Control"] == "private, no-store"

    def test_names_a_bad_month_and_format_in_the_error_shape(self, unit):
        response = template(unit.preparer, period="2026-13", format="pdf")

        assert response.status_code == 400
        assert response.json()["code"] == "VALIDATION_ERROR"
        assert sorted(error["field"] for error in response.json()["errors"]) == ["format", "period"]


class TestUploadList:
    def test_checks_a_small_list_at_once_and_gives_its_totals_in_yuan(self, unit):
        response = upload(unit.preparer, csv_bytes(rows_of(unit.accounts)))

        body = response.json()
        assert response.status_code == 201
        assert response["Location"] == reverse("api:employer-deposit-list", kwargs={"list_id": body["id"]})
        assert (body["status"], body["kind"], body["period"]) == ("READY", "MONTHLY", "2026-10")
        assert (body["rows_total"], body["rows_valid"], body["errors"]) == (3, 3, [])
        # 8,000 yuan × 12% and × 10%, for each of three people.
        assert (body["total_base"], body["employer_amount"], body["employee_amount"], body["amount"]) == (
            "24000.00",
            "2880.00",
            "2400.00",
            "5280.00",
        )

    def test_reports_every_problem_by_row_field_and_code(self, unit):
        rows = rows_of(unit.accounts)
        rows[1] = (rows[1][0], "王五", "8000.00", rows[1][3])
        rows[2] = (rows[2][0], rows[2][1], "100", rows[2][3])

        response = upload(unit.preparer, csv_bytes(rows))

        body = response.json()
        assert (response.status_code, body["status"], body["error_count"]) == (201, "INVALID", 2)
        assert [(e["row"], e["field"], e["code"]) for e in body["errors"]] == [
            (2, "name", "NAME_MISMATCH"),
            (3, "base", "BASE_BELOW_FLOOR"),
        ]
        assert body["errors"][0]["message"] == "姓名“王五”与该身份证号登记的姓名不符。"

    def test_gives_the_messages_in_the_requests_language(self, unit):
        rows = rows_of(unit.accounts)
        rows[0] = (rows[0][0], "王五", "8000.00", rows[0][3])

        response = upload(unit.preparer, csv_bytes(rows), **{"Accept-Language": "en"})

        assert response.json()["errors"][0]["message"] == (
            "The name 王五 does not match the name on record for this ID number."
        )

    def test_reads_a_gbk_csv(self, unit):
        response = upload(unit.preparer, csv_bytes(rows_of(unit.accounts), encoding="gbk"))

        assert response.json()["status"] == "READY"
        assert DepositList.objects.get(pk=response.json()["id"]).file_format == "gb18030"

    def test_reads_an_xlsx_list(self, unit):
        response = upload(
            unit.preparer, xlsx_bytes(rows_of(unit.accounts, base="10000")), filename="list.xlsx"
        )

        assert (response.json()["status"], response.json()["amount"]) == ("READY", "6600.00")

    def test_takes_a_back_payment_list_for_a_month_already_paid(self, unit):
        response = upload(
            unit.preparer, csv_bytes(rows_of(unit.accounts[:1])), period="2026-07", kind="BACK_PAYMENT"
        )

        assert (response.json()["status"], response.json()["kind"]) == ("READY", "BACK_PAYMENT")

    @override_settings(DEPOSIT_LIST_MAX_BYTES=100)
    def test_refuses_a_file_over_the_size_limit_before_reading_it(self, unit):
        response = upload(unit.preparer, csv_bytes(rows_of(unit.accounts)))

        assert response.status_code == 400
        assert response.json()["code"] == "FILE_TOO_LARGE"
        assert response.json()["errors"] == [
            {"field": "file", "code": "FILE_TOO_LARGE", "message": response.json()["detail"]}
        ]
        assert not DepositList.objects.exists()

    @override_settings(DEPOSIT_LIST_INLINE_BYTES=10)
    def test_leaves_a_larger_list_to_the_worker_and_shows_its_progress(
        self, unit, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False) as queued:
            response = upload(unit.preparer, csv_bytes(rows_of(unit.accounts)))
        accepted = response.json()
        for check in queued:
            check()

        checked = detail(unit.preparer, accepted["id"]).json()
        assert (response.status_code, accepted["status"]) == (202, "RECEIVED")
        assert (checked["status"], checked["rows_checked"], checked["rows_total"]) == ("READY", 3, 3)

    def test_names_the_missing_month(self, unit):
        response = client_of(unit.preparer).post(
            reverse("api:employer-deposit-lists"),
            {"file": SimpleUploadedFile("list.csv", csv_bytes(rows_of(unit.accounts)))},
            format="multipart",
        )

        assert response.status_code == 400
        assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("period", "REQUIRED")]

    def test_refuses_an_unknown_kind(self, unit):
        response = upload(unit.preparer, csv_bytes(rows_of(unit.accounts)), kind="YEARLY")

        assert response.json()["errors"][0]["field"] == "kind"

    def test_is_for_the_preparer_only(self, unit):
        response = upload(unit.approver, csv_bytes(rows_of(unit.accounts)))

        assert response.status_code == 403
        assert response.json()["code"] == "ROLE_REQUIRED"

    def test_is_refused_to_a_unit_that_cannot_pay_in(self, unit):
        unit.employer.status = "05"
        unit.employer.save()

        response = upload(unit.preparer, csv_bytes(rows_of(unit.accounts)))

        assert (response.status_code, response.json()["code"]) == (409, "UNIT_CANNOT_PAY")


class TestTheUnitsLists:
    def test_lists_only_the_units_own_lists_newest_first(self, unit):
        other = make_unit("other")
        first = ready_list(unit)
        second = ready_list(unit)
        ready_list(other)

        response = client_of(unit.approver).get(reverse("api:employer-deposit-lists"))

        assert response.json()["count"] == 2
        assert [row["id"] for row in response.json()["results"]] == [second, first]
        assert response.json()["results"][0]["uploaded_by"] == "api-preparer"

    def test_pages_the_lists(self, unit):
        for _ in range(3):
            ready_list(unit)

        response = client_of(unit.preparer).get(
            reverse("api:employer-deposit-lists"), {"page_size": 2, "page": 2}
        )

        assert (response.json()["count"], len(response.json()["results"])) == (3, 1)

    def test_shows_another_units_list_as_absent(self, unit):
        other = make_unit("other")
        theirs = ready_list(other)

        response = detail(unit.preparer, theirs)
        missing = detail(unit.preparer, theirs + 1000)

        assert response.status_code == 404
        assert response.json() == missing.json()

    def test_gives_the_first_problems_with_the_count_and_pages_through_the_rest(self, unit, monkeypatch):
        monkeypatch.setattr(deposits_api, "ERRORS_SHOWN", 2)
        list_id = upload(unit.preparer, csv_bytes(rows_of(unit.accounts, base="1"))).json()["id"]

        shown = detail(unit.preparer, list_id).json()
        page = client_of(unit.preparer).get(
            reverse("api:employer-deposit-list-errors", kwargs={"list_id": list_id}),
            {"page_size": 2, "page": 2},
        )

        assert (shown["error_count"], [e["row"] for e in shown["errors"]]) == (3, [1, 2])
        assert page.json()["count"] == 3
        assert [(e["row"], e["code"]) for e in page.json()["results"]] == [(3, "BASE_BELOW_FLOOR")]

    def test_does_not_page_through_another_units_problems(self, unit):
        other = make_unit("other")
        theirs = upload(other.preparer, csv_bytes(rows_of(other.accounts, base="1"))).json()["id"]

        response = client_of(unit.preparer).get(
            reverse("api:employer-deposit-list-errors", kwargs={"list_id": theirs})
        )

        assert response.status_code == 404


class TestMakerChecker:
    def test_the_preparer_submits_the_approver_approves_and_the_bank_collects(self, unit, bank):
        list_id = ready_list(unit)

        submitted = act(unit.preparer, list_id, "submit")
        approved = act(unit.approver, list_id, "approve")
        collect(bank, list_id, approved.json()["order_ref"], settled_on=date(2026, 10, 8))
        posted = detail(unit.preparer, list_id).json()

        assert (submitted.status_code, submitted.json()["status"]) == (200, "SUBMITTED")
        assert submitted.json()["submitted_by"] == "api-preparer"
        assert (approved.json()["status"], approved.json()["decided_by"]) == ("COLLECTING", "api-approver")
        assert approved.json()["order_ref"]
        assert (posted["status"], posted["settled_on"], posted["failure_code"]) == (
            "POSTED",
            "2026-10-08",
            "",
        )
        assert posted["posted_at"] is not None

    def test_refuses_the_approval_to_whoever_submitted_the_list(self, unit):
        unit.preparer.groups.add(Group.objects.get(name=EMPLOYER_APPROVER))
        list_id = ready_list(unit)
        act(unit.preparer, list_id, "submit")

        response = act(unit.preparer, list_id, "approve")

        assert (response.status_code, response.json()["code"]) == (403, "SAME_OPERATOR")
        assert DepositList.objects.get(pk=list_id).status == ListStatus.SUBMITTED

    def test_refuses_each_step_to_the_other_role(self, unit):
        list_id = ready_list(unit)

        by_approver = act(unit.approver, list_id, "submit")
        act(unit.preparer, list_id, "submit")
        by_preparer = act(unit.preparer, list_id, "approve")

        assert (by_approver.status_code, by_approver.json()["code"]) == (403, "ROLE_REQUIRED")
        assert (by_preparer.status_code, by_preparer.json()["code"]) == (403, "ROLE_REQUIRED")

    def test_refuses_to_submit_a_list_with_problems(self, unit):
        list_id = upload(unit.preparer, csv_bytes(rows_of(unit.accounts, base="1"))).json()["id"]

        response = act(unit.preparer, list_id, "submit")

        assert (response.status_code, response.json()["code"]) == (409, "LIST_STATE")

    def test_refuses_a_second_monthly_list_for_a_submitted_month(self, unit):
        first, second = ready_list(unit), ready_list(unit)
        act(unit.preparer, first, "submit")

        response = act(unit.preparer, second, "submit")

        assert (response.status_code, response.json()["code"]) == (409, "PERIOD_TAKEN")

    def test_another_units_operator_cannot_act_on_the_list(self, unit):
        other = make_unit("other")
        list_id = ready_list(unit)

        response = act(other.preparer, list_id, "submit")

        assert response.status_code == 404
        assert DepositList.objects.get(pk=list_id).status == ListStatus.READY

    def test_the_approver_returns_a_list_with_a_reason(self, unit):
        list_id = ready_list(unit)
        act(unit.preparer, list_id, "submit")

        without_reason = act(unit.approver, list_id, "return")
        returned = act(unit.approver, list_id, "return", {"reason": "基数未按年度调整"})

        assert (without_reason.status_code, without_reason.json()["errors"][0]["field"]) == (400, "reason")
        assert (returned.json()["status"], returned.json()["return_reason"]) == (
            "RETURNED",
            "基数未按年度调整",
        )

    def test_the_preparer_discards_a_list_not_submitted(self, unit):
        list_id = ready_list(unit)

        response = act(unit.preparer, list_id, "discard")

        assert response.json()["status"] == "DISCARDED"

    def test_the_approver_collects_again_after_a_failed_debit(
        self, unit, bank, django_capture_on_commit_callbacks
    ):
        list_id = ready_list(unit)
        act(unit.preparer, list_id, "submit")
        first_ref = act(unit.approver, list_id, "approve").json()["order_ref"]
        collect(bank, list_id, first_ref, failure_code=ports.INSUFFICIENT_FUNDS)
        failed = detail(unit.approver, list_id).json()

        retried = act(unit.approver, list_id, "retry-collection").json()

        assert (failed["status"], failed["failure_code"]) == ("COLLECTION_FAILED", "INSUFFICIENT_FUNDS")
        assert (retried["status"], retried["failure_code"]) == ("COLLECTING", "")
        assert retried["order_ref"] != first_ref

    def test_refusals_speak_the_requests_language(self, unit):
        list_id = ready_list(unit)

        response = client_of(unit.preparer).post(
            reverse("api:employer-deposit-list-approve", kwargs={"list_id": list_id}),
            headers={"Accept-Language": "en"},
        )

        assert response.json()["detail"] == "Only the unit's approver can do this."


class TestWhoMayUseTheEmployerApi:
    def test_a_unit_operator_signs_in_with_a_bearer_token(self, unit):
        client = APIClient()
        token = client.post(
            reverse("api:token"), {"username": "api-preparer", "password": PASSWORD}, format="json"
        ).json()["token"]
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

        response = client.get(reverse("api:employer-deposit-lists"))

        assert response.status_code == 200

    def test_staff_and_employees_are_refused(self, clerk, employee):
        for user in (clerk, employee):
            response = client_of(user).get(reverse("api:employer-deposit-lists"))

            assert response.status_code == 403
            assert response.json()["code"] == "PERMISSION_DENIED"

    def test_needs_a_login(self):
        response = APIClient().get(reverse("api:employer-deposit-list-template"))

        assert response.status_code == 401


class TestEmployerApiSchema:
    def test_describes_the_upload_and_both_answers(self, tmp_path):
        target = tmp_path / "schema.yaml"

        call_command("spectacular", "--fail-on-warn", "--file", str(target))

        schema = target.read_text()
        assert "/api/v1/employer/deposit-lists/{list_id}/retry-collection:" in schema
        assert "multipart/form-data" in schema
        assert "'202':" in schema
