"""change_base: 基数调整 of a normal account within the floor and cap in force; a record, no money moves."""

from datetime import date

import pytest

from accounts import roles
from accounts.models import AccountStatus, FundAccount
from accounts.services import AccountNotAtUnit, BaseNotChangeable, InvalidBase, change_base
from audit.models import AuditEvent
from core.models import PolicyParameter
from core.policy import policy_version
from ledger.models import JournalEntry
from tests.accounts.factories import FundAccountFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(db):
    return FundAccountFactory(base=800000)


@pytest.fixture
def preparer(account):
    user = UserFactory(employer=account.employer)
    user.groups.add(roles.ensure_roles()[roles.EMPLOYER_PREPARER])
    return user


class TestChangeBase:
    def test_sets_the_base_and_records_a_business_type_10_without_posting(self, account, preparer):
        change_base(account=account, base=1200000, employer=account.employer, actor=preparer)

        assert FundAccount.objects.get(pk=account.pk).base == 1200000
        event = AuditEvent.objects.get(action="accounts.base_changed")
        assert event.data["business_type"] == "10"
        assert event.data["base"] == {"from": 800000, "to": 1200000}
        assert set(event.data["parameters"]) == {"deposit.base.floor", "deposit.base.cap"}
        assert not JournalEntry.objects.exists()

    @pytest.mark.parametrize("base", [202999, 3100001])
    def test_refuses_a_base_below_the_floor_or_above_the_cap(self, account, preparer, base):
        with pytest.raises(InvalidBase) as refused:
            change_base(account=account, base=base, employer=account.employer, actor=preparer)

        assert refused.value.field == "base"
        assert FundAccount.objects.get(pk=account.pk).base == 800000

    @pytest.mark.parametrize("base", [203000, 3100000])
    def test_accepts_the_floor_and_the_cap_themselves(self, account, preparer, base):
        change_base(account=account, base=base, employer=account.employer, actor=preparer)

        assert FundAccount.objects.get(pk=account.pk).base == base

    def test_uses_the_floor_in_force_on_the_day_of_the_change(self, account, preparer):
        PolicyParameter.objects.create(
            key="deposit.base.floor", value=250000, effective_from=date(2027, 7, 1)
        )

        change_base(
            account=account,
            base=210000,
            employer=account.employer,
            actor=preparer,
            changed_on=date(2027, 6, 30),
        )
        with pytest.raises(InvalidBase):
            change_base(
                account=account,
                base=220000,
                employer=account.employer,
                actor=preparer,
                changed_on=date(2027, 7, 1),
            )

        assert policy_version("deposit.base.floor", on=date(2027, 7, 1)).value == 250000

    def test_refuses_a_sealed_account(self, account, preparer):
        FundAccount.objects.filter(pk=account.pk).update(
            status=AccountStatus.SEALED, sealed_on=date(2026, 3, 1)
        )

        with pytest.raises(BaseNotChangeable):
            change_base(account=account, base=900000, employer=account.employer, actor=preparer)

    def test_refuses_an_account_of_another_unit(self, account, preparer):
        other = FundAccountFactory(base=800000)

        with pytest.raises(AccountNotAtUnit):
            change_base(account=other, base=900000, employer=account.employer, actor=preparer)

        assert FundAccount.objects.get(pk=other.pk).base == 800000

    def test_writes_nothing_for_an_unchanged_base(self, account, preparer):
        change_base(account=account, base=800000, employer=account.employer, actor=preparer)

        assert not AuditEvent.objects.filter(action="accounts.base_changed").exists()

    def test_lets_staff_change_a_base_of_any_unit(self, account, clerk):
        change_base(account=account, base=900000, actor=clerk)

        assert FundAccount.objects.get(pk=account.pk).base == 900000
