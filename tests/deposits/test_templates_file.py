"""The pre-filled list template: the unit's normal accounts, read back without a single error."""

from datetime import date

import pytest

from accounts.models import AccountStatus
from deposits.reading import read_list
from deposits.templates_file import list_template
from deposits.validation import validate_list
from tests.accounts.factories import EmployerFactory, FundAccountFactory

pytestmark = pytest.mark.django_db


class TestListTemplate:
    @pytest.mark.parametrize("fmt", ["csv", "xlsx"])
    def test_round_trips_through_reading_and_validation_without_errors(self, fmt):
        employer = EmployerFactory(paid_up_to=date(2026, 9, 1))
        accounts = FundAccountFactory.create_batch(3, employer=employer, base=812345)
        FundAccountFactory(employer=employer, status=AccountStatus.SEALED, sealed_on=date(2026, 5, 31))
        FundAccountFactory()

        data = list_template(employer=employer, period=date(2026, 10, 1), fmt=fmt)
        result = read_list(data, filename=f"template.{fmt}")
        validation = validate_list(
            result.rows, employer=employer, period=date(2026, 10, 1), on=date(2026, 11, 20)
        )

        assert (result.errors, validation.errors) == ([], [])
        assert sorted(line.account_id for line in validation.lines) == sorted(
            account.pk for account in accounts
        )
        assert {row.base for row in result.rows} == {"8123.45"}

    def test_writes_full_id_numbers_and_names_in_a_utf8_csv_with_bom(self):
        account = FundAccountFactory(base=800000)

        data = list_template(employer=account.employer, period=date(2026, 10, 1), fmt="csv")

        assert data.startswith(b"\xef\xbb\xbf")
        lines = data.decode("utf-8-sig").splitlines()
        assert lines == [
            "身份证号,姓名,缴存基数,个人账号",
            f"{account.person.id_number},{account.person.name},8000.00,{account.account_no}",
        ]

    def test_refuses_an_unknown_format(self):
        with pytest.raises(ValueError):
            list_template(employer=EmployerFactory(), period=date(2026, 10, 1), fmt="pdf")
