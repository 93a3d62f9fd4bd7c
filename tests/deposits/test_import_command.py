"""Operators check a unit's list file from the shell and, when asked, submit it for the unit's approver."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.roles import EMPLOYER_PREPARER
from accounts.services import create_operator
from audit.models import AuditEvent
from deposits.models import DepositList, ListStatus
from tests.deposits.conftest import PASSWORD
from tests.deposits.files import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db


def rows_of(accounts, *, base="8000.00"):
    return [(a.person.id_number, a.person.name, base, a.account_no) for a in accounts]


def list_file(tmp_path, content, name="list.csv"):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def run(unit, path, *options, period="2026-10"):
    out = StringIO()
    call_command(
        "import_deposit_list",
        str(path),
        "--employer",
        unit.employer.credit_code,
        "--period",
        period,
        *options,
        stdout=out,
    )
    return out.getvalue()


def run_failing(unit, path, *options, **kwargs) -> tuple[str, CommandError]:
    out = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command(
            "import_deposit_list",
            str(path),
            "--employer",
            kwargs.pop("employer", unit.employer.credit_code),
            "--period",
            kwargs.pop("period", "2026-10"),
            *options,
            stdout=out,
        )
    return out.getvalue(), failed.value


class TestImportDepositList:
    def test_prints_every_problem_and_exits_1(self, unit, tmp_path):
        rows = rows_of(unit.accounts)
        rows[1] = (rows[1][0], "王五", "8000.00", rows[1][3])
        rows[2] = (rows[2][0], rows[2][1], "100", rows[2][3])

        out, error = run_failing(unit, list_file(tmp_path, csv_bytes(rows)), "--confirm")

        assert error.returncode == 1
        assert "row 2  name  NAME_MISMATCH  姓名“王五”与该身份证号登记的姓名不符。" in out.splitlines()
        assert "row 3  base  BASE_BELOW_FLOOR  缴存基数 100.00 低于最低基数" in out
        assert "rows: 3, valid: 1, problems: 2" in out
        assert DepositList.objects.get().status == ListStatus.INVALID

    def test_reports_a_problem_with_the_whole_file_on_row_0(self, unit, tmp_path):
        content = csv_bytes(rows_of(unit.accounts), header=["身份证", "姓名", "缴存基数"])

        out, error = run_failing(unit, list_file(tmp_path, content))

        assert error.returncode == 1
        assert out.startswith("row 0  file  WRONG_COLUMNS  ")

    def test_passes_a_clean_list_with_its_totals_and_submits_nothing(self, unit, tmp_path):
        out = run(unit, list_file(tmp_path, csv_bytes(rows_of(unit.accounts))))

        assert "total base: 24000.00 yuan" in out
        assert "amount: 5280.00 yuan (employer part 2880.00, employee part 2400.00)" in out
        assert "run with --confirm to submit it" in out
        assert DepositList.objects.get().status == ListStatus.DISCARDED

    def test_submits_a_clean_list_with_confirm_and_prints_its_id(self, unit, tmp_path):
        out = run(unit, list_file(tmp_path, csv_bytes(rows_of(unit.accounts), encoding="gbk")), "--confirm")

        deposit_list = DepositList.objects.get()
        assert out.splitlines()[-1] == str(deposit_list.pk)
        assert (deposit_list.status, deposit_list.submitted_by) == (ListStatus.SUBMITTED, unit.preparer)
        assert deposit_list.decided_by is None

    def test_discards_a_clean_list_the_services_refuse_to_submit(self, unit, tmp_path):
        path = list_file(tmp_path, csv_bytes(rows_of(unit.accounts)))
        run(unit, path, "--confirm")

        _out, error = run_failing(unit, path, "--confirm")

        assert error.returncode == 1
        assert str(error).startswith("PERIOD_TAKEN: ")
        assert sorted(DepositList.objects.values_list("status", flat=True)) == [
            ListStatus.DISCARDED,
            ListStatus.SUBMITTED,
        ]

    def test_reads_an_xlsx_back_payment_list(self, unit, tmp_path):
        path = list_file(tmp_path, xlsx_bytes(rows_of(unit.accounts[:1])), name="back.xlsx")

        out = run(unit, path, "--kind", "back", "--confirm", period="2026-07")

        assert "back-payment list 2026-07" in out
        assert DepositList.objects.get().status == ListStatus.SUBMITTED

    def test_says_in_the_audit_trail_that_the_list_came_from_the_command_and_in_whose_name(
        self, unit, tmp_path
    ):
        clerk = create_operator(
            username="unit-clerk-2", password=PASSWORD, role=EMPLOYER_PREPARER, employer=unit.employer
        )

        run(unit, list_file(tmp_path, csv_bytes(rows_of(unit.accounts))), "--as", "unit-clerk-2", "--confirm")

        imported = AuditEvent.objects.get(action="deposits.list_imported")
        uploaded = AuditEvent.objects.get(action="deposits.list_uploaded")
        assert imported.actor is None
        assert imported.actor_label.startswith("command:import_deposit_list ")
        assert (imported.data["as"], imported.data["confirm"]) == ("unit-clerk-2", True)
        assert uploaded.actor == clerk
        assert DepositList.objects.get().submitted_by == clerk

    def test_refuses_to_act_as_someone_who_is_not_the_units_preparer(self, unit, tmp_path):
        _out, error = run_failing(
            unit, list_file(tmp_path, csv_bytes(rows_of(unit.accounts))), "--as", "unit-approver"
        )

        assert error.returncode == 2
        assert "unit-approver is not a preparer of unit" in str(error)
        assert not DepositList.objects.exists()

    def test_refuses_an_unknown_employer(self, unit, tmp_path):
        _out, error = run_failing(
            unit, list_file(tmp_path, csv_bytes(rows_of(unit.accounts))), employer="91350200MA0000000X"
        )

        assert error.returncode == 2
        assert str(error) == "no unit has the credit code 91350200MA0000000X"

    def test_refuses_a_month_not_written_as_year_and_month(self, unit, tmp_path):
        _out, error = run_failing(
            unit, list_file(tmp_path, csv_bytes(rows_of(unit.accounts))), period="2026/10"
        )

        assert "is not a month as YYYY-MM" in str(error)

    def test_passes_a_services_refusal_on_with_its_code(self, unit, tmp_path):
        unit.employer.status = "05"
        unit.employer.save()

        _out, error = run_failing(unit, list_file(tmp_path, csv_bytes(rows_of(unit.accounts))))

        assert error.returncode == 1
        assert str(error).startswith("UNIT_CANNOT_PAY: ")
