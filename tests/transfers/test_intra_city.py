"""Intra-city transfers: the move on hiring is recorded and told, the hall's self-service move, merges."""

from contextlib import ExitStack
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from freezegun import freeze_time
from rest_framework.test import APIClient

from accounts import roles
from accounts.models import AccountMove, AccountStatus, EmployerStatus, FundAccount
from accounts.roles import ensure_roles
from accounts.services import take_on_employee
from approvals.models import Application, ApplicationStatus, Channel
from audit.models import AuditEvent
from integrations.gov import ports
from integrations.gov.fakes import FakePublicSecurity, FakeSocialSecurity
from integrations.gov.testing import all_fakes, use_fakes
from integrations.models import GovQuery
from ledger.models import BusinessType, JournalEntry
from ledger.selectors import balance_of
from loans.models import LoanApplication
from notifications.models import Message
from tests.accounts.factories import (
    EmployerFactory,
    FundAccountFactory,
    PersonFactory,
    UserFactory,
    resident_id,
)
from tests.ledger.factories import deposit
from tests.loans.factories_repayment import repaying_loan
from transfers.intra_city import (
    AccountFrozen,
    AccountNotMergeable,
    AccountNotSealed,
    EmployerNotPaying,
    EmployerNotRegisteredHere,
    EmploymentSourceUnavailable,
    LoanOpen,
    NoCurrentEmployer,
    NotSameHuman,
    SameUnit,
    WithdrawalOpen,
    merge_accounts,
    request_intra_city_move,
    same_human,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

TODAY = date(2026, 11, 20)
SEALED_ON = date(2026, 6, 30)
NUMBER = resident_id(7301)


@pytest.fixture
def frozen_today():
    with freeze_time(TODAY):
        yield


@pytest.fixture
def sources(monkeypatch):
    """``sources(social_security=..., public_security=...)``: every government source a fake."""
    monkeypatch.setattr(GovQuery.objects, "create", lambda **fields: GovQuery(**fields))
    with ExitStack() as stack:

        def install(**fakes):
            return stack.enter_context(use_fakes(all_fakes(**fakes)))

        install()
        yield install


def _with_role(user, role):
    user.groups.add(ensure_roles()[role])
    return user


@pytest.fixture
def old_unit(db):
    return EmployerFactory(name="厦门旧港贸易有限公司")


@pytest.fixture
def new_unit(db):
    return EmployerFactory(name="厦门海湾物流有限公司")


@pytest.fixture
def sealed_account(old_unit):
    account = FundAccountFactory(
        person__id_number=NUMBER,
        person__name="陈晓",
        employer=old_unit,
        status=AccountStatus.SEALED,
        sealed_on=SEALED_ON,
        base=500000,
    )
    account.person.user = _with_role(UserFactory(username="chenxiao"), roles.EMPLOYEE)
    account.person.save(update_fields=["user"])
    return account


def _works_at(unit, *, ended_on=None):
    return FakeSocialSecurity(
        employment={
            NUMBER: ports.EmploymentRecord(
                employer_credit_code=unit.credit_code,
                employer_name=unit.name,
                since=date(2026, 9, 1),
                ended_on=ended_on,
            )
        }
    )


class TestTakeOnRecordsTheMove:
    def test_records_a_06_move_and_tells_the_person(self, sealed_account, old_unit, new_unit, sources):
        sources(public_security=FakePublicSecurity(names={NUMBER: "陈晓"}))
        clerk = _with_role(UserFactory(employer=new_unit), roles.EMPLOYER_PREPARER)

        taken_on = take_on_employee(
            employer=new_unit,
            id_number=NUMBER,
            name="陈晓",
            mobile="13700000007",
            hukou_region="350203",
            base=900000,
            start_on=TODAY,
            actor=clerk,
        )

        assert taken_on.moved_in is True
        move = AccountMove.objects.get(account=sealed_account)
        assert (move.kind, move.business_type, move.from_employer, move.to_employer, move.moved_on) == (
            "MOVE",
            BusinessType.INTERNAL_TRANSFER,
            old_unit,
            new_unit,
            TODAY,
        )
        assert move.actor == clerk
        message = Message.objects.get(person=sealed_account.person, kind="account_moved")
        assert "厦门海湾物流有限公司" in message.body and "启封" in message.body
        assert message.link == "/hall/transfers/"
        assert AuditEvent.objects.get(action="accounts.account_moved").data["business_type"] == "06"

    def test_records_nothing_for_a_new_account(self, new_unit, sources):
        sources(public_security=FakePublicSecurity(names={NUMBER: "陈晓"}))

        take_on_employee(
            employer=new_unit,
            id_number=NUMBER,
            name="陈晓",
            mobile="13700000007",
            hukou_region="350203",
            base=900000,
            start_on=TODAY,
            actor=None,
        )

        assert not AccountMove.objects.exists()


class TestRequestIntraCityMove:
    def test_moves_the_sealed_account_to_the_unit_social_security_reports(
        self, sealed_account, old_unit, new_unit, sources
    ):
        sources(social_security=_works_at(new_unit))

        move = request_intra_city_move(person=sealed_account.person, actor=sealed_account.person.user)

        account = FundAccount.objects.get(pk=sealed_account.pk)
        assert (account.status, account.employer, account.sealed_on, account.base) == (
            AccountStatus.NORMAL,
            new_unit,
            None,
            500000,
        )
        assert (move.from_employer, move.to_employer, move.business_type) == (old_unit, new_unit, "06")
        assert Message.objects.filter(person=sealed_account.person, kind="account_moved").count() == 1

    def test_refuses_an_account_that_is_not_sealed(self, new_unit, sources):
        account = FundAccountFactory(person__id_number=NUMBER)
        sources(social_security=_works_at(new_unit))

        with pytest.raises(AccountNotSealed):
            request_intra_city_move(person=account.person, actor=None)

    @pytest.mark.parametrize("ended", [True, False])
    def test_refuses_without_a_current_employer(self, sealed_account, new_unit, sources, ended):
        sources(
            social_security=_works_at(new_unit, ended_on=date(2026, 10, 31))
            if ended
            else FakeSocialSecurity()
        )

        with pytest.raises(NoCurrentEmployer):
            request_intra_city_move(person=sealed_account.person, actor=None)

    def test_refuses_an_employer_not_registered_here(self, sealed_account, sources):
        stranger = EmployerFactory.build(name="泉州某公司", credit_code="91350500MA2XXXXX0X")
        sources(social_security=_works_at(stranger))

        with pytest.raises(EmployerNotRegisteredHere):
            request_intra_city_move(person=sealed_account.person, actor=None)

        assert FundAccount.objects.get(pk=sealed_account.pk).status == AccountStatus.SEALED

    def test_refuses_an_employer_whose_unit_account_is_not_normal(self, sealed_account, new_unit, sources):
        new_unit.status = EmployerStatus.DEFERRED
        new_unit.save(update_fields=["status"])
        sources(social_security=_works_at(new_unit))

        with pytest.raises(EmployerNotPaying):
            request_intra_city_move(person=sealed_account.person, actor=None)

    def test_refuses_a_move_to_the_unit_it_is_sealed_at(self, sealed_account, old_unit, sources):
        sources(social_security=_works_at(old_unit))

        with pytest.raises(SameUnit):
            request_intra_city_move(person=sealed_account.person, actor=None)

    def test_changes_nothing_when_social_security_does_not_answer(self, sealed_account, sources):
        sources(social_security=FakeSocialSecurity(unavailable=True))

        with pytest.raises(EmploymentSourceUnavailable):
            request_intra_city_move(person=sealed_account.person, actor=None)

        assert not AccountMove.objects.exists()


class TestHallPage:
    def test_moves_the_account_and_shows_it_in_the_history(self, client, sealed_account, new_unit, sources):
        sources(social_security=_works_at(new_unit))
        client.force_login(sealed_account.person.user)

        response = client.post(reverse("web:hall-transfer-intra"), follow=True)

        assert response.status_code == 200
        assert FundAccount.objects.get(pk=sealed_account.pk).status == AccountStatus.NORMAL
        assert "厦门海湾物流有限公司" in response.text
        assert "内部转移" in response.text

    def test_explains_a_refusal(self, client, sealed_account, sources):
        sources(social_security=FakeSocialSecurity())
        client.force_login(sealed_account.person.user)

        response = client.post(reverse("web:hall-transfer-intra"), follow=True)

        assert "社保系统未显示您当前的就业单位" in response.text
        assert FundAccount.objects.get(pk=sealed_account.pk).status == AccountStatus.SEALED

    def test_is_for_employees_only(self, client, new_unit):
        client.force_login(_with_role(UserFactory(employer=new_unit), roles.EMPLOYER_PREPARER))

        assert client.get(reverse("web:hall-transfer-intra")).status_code == 403


class TestIntraCityApi:
    def test_moves_the_caller_s_own_account(self, sealed_account, new_unit, sources):
        sources(social_security=_works_at(new_unit))
        api = APIClient()
        api.force_authenticate(sealed_account.person.user)

        response = api.post(reverse("api:transfers-intra-city"), {}, format="json")

        assert response.status_code == 201
        assert response.json()["business_type"] == "06"
        assert response.json()["to_unit"] == "厦门海湾物流有限公司"

    def test_refuses_someone_else_s_account(self, sealed_account, new_unit, sources):
        sources(social_security=_works_at(new_unit))
        other = FundAccountFactory(status=AccountStatus.SEALED, sealed_on=SEALED_ON)
        api = APIClient()
        api.force_authenticate(sealed_account.person.user)

        response = api.post(
            reverse("api:transfers-intra-city"), {"account_no": other.account_no}, format="json"
        )

        assert response.status_code == 403
        assert FundAccount.objects.get(pk=other.pk).status == AccountStatus.SEALED
        assert FundAccount.objects.get(pk=sealed_account.pk).status == AccountStatus.SEALED

    def test_refuses_a_user_who_is_not_an_employee(self, new_unit, sources):
        api = APIClient()
        api.force_authenticate(_with_role(UserFactory(employer=new_unit), roles.EMPLOYER_PREPARER))

        assert api.post(reverse("api:transfers-intra-city"), {}, format="json").status_code == 403

    def test_refuses_anonymous_callers(self):
        assert APIClient().post(reverse("api:transfers-intra-city"), {}, format="json").status_code in (
            401,
            403,
        )

    def test_explains_an_account_that_is_not_sealed(self, new_unit, sources):
        account = FundAccountFactory(person__id_number=NUMBER)
        account.person.user = _with_role(UserFactory(), roles.EMPLOYEE)
        account.person.save(update_fields=["user"])
        sources(social_security=_works_at(new_unit))
        api = APIClient()
        api.force_authenticate(account.person.user)

        response = api.post(reverse("api:transfers-intra-city"), {}, format="json")

        assert (response.status_code, response.json()["code"]) == (409, "ACCOUNT_NOT_SEALED")


# --- merging ------------------------------------------------------------------------------

LEGACY_15 = NUMBER[:6] + NUMBER[8:17]  # the same person's first-generation number


@pytest.fixture
def duplicates(new_unit, old_unit):
    """The person's normal account, and a sealed legacy one under their 15-digit ID number."""
    surviving = FundAccountFactory(person__id_number=NUMBER, person__name="陈晓", employer=new_unit)
    legacy = PersonFactory(
        id_number=LEGACY_15,
        name="陈晓",
        sex=surviving.person.sex,
        birth_date=surviving.person.birth_date,
    )
    absorbed = FundAccountFactory(
        person=legacy,
        employer=old_unit,
        status=AccountStatus.SEALED,
        opened_on=date(2008, 3, 1),
        sealed_on=date(2010, 6, 30),
    )
    deposit(surviving.ledger_account, 300000, key="dep-surviving")
    deposit(absorbed.ledger_account, 123456, key="dep-absorbed")
    return surviving, absorbed


@pytest.fixture
def staff(db):
    return _with_role(UserFactory(username="clerk", is_staff=True), roles.STAFF_CLERK)


class TestSameHuman:
    def test_matches_a_15_digit_number_with_its_18_digit_upgrade(self, duplicates):
        surviving, absorbed = duplicates

        assert same_human(surviving.person, absorbed.person)

    def test_does_not_match_a_namesake(self):
        first = PersonFactory(name="陈晓")
        second = PersonFactory(name="陈晓", birth_date=first.birth_date)

        assert not same_human(first, second)


class TestMergeAccounts:
    def test_moves_the_whole_balance_in_one_balanced_06_entry_and_closes_the_duplicate(
        self, duplicates, staff
    ):
        surviving, absorbed = duplicates
        total = balance_of(surviving.ledger_account) + balance_of(absorbed.ledger_account)

        merged = merge_accounts(surviving=surviving, absorbed=absorbed, actor=staff)

        absorbed.refresh_from_db()
        assert balance_of(absorbed.ledger_account) == 0
        assert balance_of(surviving.ledger_account) == total + merged.interest
        assert (absorbed.status, absorbed.closed_on) == (AccountStatus.MERGED, TODAY)
        entry = merged.move.entry
        assert entry.business_type == BusinessType.INTERNAL_TRANSFER
        lines = {line.account_id: (line.debit, line.credit) for line in entry.lines.all()}
        assert lines == {
            absorbed.ledger_account_id: (123456 + merged.interest, 0),
            surviving.ledger_account_id: (0, 123456 + merged.interest),
        }
        assert (merged.move.kind, merged.move.merged_account, merged.move.amount) == (
            "MERGE",
            absorbed,
            123456 + merged.interest,
        )
        assert Message.objects.filter(person=surviving.person, kind="accounts_merged").count() == 1

    def test_a_replay_posts_nothing_twice(self, duplicates, staff):
        surviving, absorbed = duplicates
        first = merge_accounts(surviving=surviving, absorbed=absorbed, actor=staff)
        entries = JournalEntry.objects.count()

        again = merge_accounts(surviving=surviving, absorbed=absorbed, actor=staff)

        assert again.replayed is True and again.move == first.move
        assert JournalEntry.objects.count() == entries
        assert Message.objects.filter(kind="accounts_merged").count() == 1

    def test_refuses_two_different_people(self, staff):
        surviving = FundAccountFactory()
        absorbed = FundAccountFactory(status=AccountStatus.SEALED, sealed_on=SEALED_ON)

        with pytest.raises(NotSameHuman):
            merge_accounts(surviving=surviving, absorbed=absorbed, actor=staff)

    def test_refuses_a_frozen_account(self, duplicates, staff):
        surviving, absorbed = duplicates
        FundAccount.objects.filter(pk=surviving.pk).update(status=AccountStatus.FROZEN)

        with pytest.raises(AccountFrozen):
            merge_accounts(surviving=surviving, absorbed=absorbed, actor=staff)

    def test_refuses_to_absorb_an_account_a_unit_still_pays_into(self, duplicates, staff):
        surviving, absorbed = duplicates

        with pytest.raises(AccountNotMergeable):
            merge_accounts(surviving=absorbed, absorbed=surviving, actor=staff)

    def test_refuses_while_a_withdrawal_is_open(self, duplicates, staff):
        surviving, absorbed = duplicates
        Application.objects.create(
            kind="withdrawal",
            reason="RENT",
            applicant=absorbed.person,
            channel=Channel.WEB,
            status=ApplicationStatus.REFERRED,
            due_on=TODAY,
        )

        with pytest.raises(WithdrawalOpen):
            merge_accounts(surviving=surviving, absorbed=absorbed, actor=staff)

        assert balance_of(absorbed.ledger_account) == 123456

    def test_refuses_while_a_loan_names_the_duplicate_record(self, duplicates, staff):
        surviving, absorbed = duplicates
        loan = repaying_loan(fund_balance=100_000)
        LoanApplication.objects.filter(pk=loan.application_id).update(applicant=absorbed.person)

        with pytest.raises(LoanOpen):
            merge_accounts(surviving=surviving, absorbed=absorbed, actor=staff)

        absorbed.refresh_from_db()
        assert (absorbed.status, balance_of(absorbed.ledger_account)) == (AccountStatus.SEALED, 123456)

    def test_the_duplicates_login_moves_to_the_surviving_record(self, duplicates, staff):
        surviving, absorbed = duplicates
        login = _with_role(UserFactory(), roles.EMPLOYEE)
        absorbed.person.user = login
        absorbed.person.save(update_fields=["user"])

        merge_accounts(surviving=surviving, absorbed=absorbed, actor=staff)

        surviving.person.refresh_from_db()
        absorbed.person.refresh_from_db()
        assert (surviving.person.user, absorbed.person.user) == (login, None)
        assert AuditEvent.objects.filter(action="transfers.login_moved").count() == 1

    def test_the_duplicates_login_is_retired_when_the_surviving_record_has_one(self, duplicates, staff):
        surviving, absorbed = duplicates
        kept, retired = _with_role(UserFactory(), roles.EMPLOYEE), _with_role(UserFactory(), roles.EMPLOYEE)
        surviving.person.user, absorbed.person.user = kept, retired
        surviving.person.save(update_fields=["user"])
        absorbed.person.save(update_fields=["user"])

        merge_accounts(surviving=surviving, absorbed=absorbed, actor=staff)

        surviving.person.refresh_from_db()
        retired.refresh_from_db()
        assert surviving.person.user == kept
        assert retired.is_active is False


class TestMergeAccountsCommand:
    def test_merges_by_account_number(self, duplicates, staff, capsys):
        surviving, absorbed = duplicates

        call_command("merge_accounts", surviving.account_no, absorbed.account_no, "--actor", "clerk")

        assert FundAccount.objects.get(pk=absorbed.pk).status == AccountStatus.MERGED
        assert "Merged" in capsys.readouterr().out

    def test_explains_a_refusal(self, duplicates, staff):
        surviving, absorbed = duplicates

        with pytest.raises(CommandError, match="ACCOUNT_NOT_MERGEABLE"):
            call_command("merge_accounts", absorbed.account_no, surviving.account_no, "--actor", "clerk")
