import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.models import AuditEvent
from ledger import services
from ledger.bulk import ACCOUNT_ENTRIES_ACTION, journal_digest_of_batch
from ledger.centre import BANK_SETTLEMENT, INTEREST_EXPENSE, PAYOUT_CLEARING
from ledger.interest import (
    SETTLED_ACTION,
    half_up_interest_sql,
    interest_base,
    interest_for,
    interest_from_base,
    interest_settled,
    interest_to_date,
    last_settlement_day,
    settle_interest,
    settlement_bases,
    settlement_key,
)
from ledger.models import BusinessType, JournalEntry
from ledger.selectors import balance_of
from tests.ledger.factories import FundLedgerAccountFactory, new_key

LAST_30_JUNE = datetime.date(2025, 6, 30)
THIS_30_JUNE = datetime.date(2026, 6, 30)
RATE = Decimal("0.015")
BASIS = 360

# The worked example: (2025-06-30, 2026-06-30], 365 days, opening 1,000.00 yuan.
#   opening      100,000 fen × 365 days (1 Jul – 30 Jun)               = 36,500,000
#   2025-09-01   +50,000 fen × 303 days (1 Sep – 30 Jun inclusive)     = 15,150,000
#   2026-01-15   −30,000 fen × 167 days (15 Jan – 30 Jun inclusive)    = −5,010,000
#   2026-06-30   +20,000 fen ×   1 day  (30 Jun only)                  =     20,000
#   积数 = 46,660,000 fen-days; × 0.015 / 360 = 1,944.1666… → 1,944 fen (19.44 yuan).
# Walked balance by balance: 100,000 × 62 + 150,000 × 136 + 120,000 × 166 + 140,000 × 1
#   = 6,200,000 + 20,400,000 + 19,920,000 + 140,000 = 46,660,000.
EXAMPLE_OPENING = 100_000
EXAMPLE_MOVEMENTS = [
    (datetime.date(2025, 9, 1), 50_000),
    (datetime.date(2026, 1, 15), -30_000),
    (datetime.date(2026, 6, 30), 20_000),
]


def _interest(opening, movements, end=THIS_30_JUNE):
    return interest_for(
        opening_balance=opening,
        movements=movements,
        period_start=LAST_30_JUNE,
        period_end=end,
        annual_rate=RATE,
        basis=BASIS,
    )


def _move(account, amount, on):
    """Post ``amount`` fen (negative: a withdrawal) on business date ``on``. Needs a transaction."""
    fund = services.Line(account, credit=amount) if amount > 0 else services.Line(account, debit=-amount)
    other_code = BANK_SETTLEMENT if amount > 0 else PAYOUT_CLEARING
    other = services.centre_account(other_code)
    other_line = services.Line(other, debit=amount) if amount > 0 else services.Line(other, credit=-amount)
    services.post_entry(
        lines=[other_line, fund],
        business_type=BusinessType.MONTHLY_DEPOSIT if amount > 0 else BusinessType.PARTIAL_WITHDRAWAL,
        business_on=on,
        idempotency_key=new_key("move"),
    )


def _account_with(movements):
    account = FundLedgerAccountFactory()
    with transaction.atomic():
        for on, amount in sorted(movements, key=lambda movement: movement[0]):
            _move(account, amount, on)
    return account


def _example_account():
    return _account_with([(LAST_30_JUNE, EXAMPLE_OPENING), *EXAMPLE_MOVEMENTS])


class TestInterestFor:
    def test_matches_the_hand_computed_example_to_the_fen(self):
        base = interest_base(
            opening_balance=EXAMPLE_OPENING,
            movements=EXAMPLE_MOVEMENTS,
            period_start=LAST_30_JUNE,
            period_end=THIS_30_JUNE,
        )

        interest = _interest(EXAMPLE_OPENING, EXAMPLE_MOVEMENTS)

        assert base == 46_660_000
        assert interest == 1_944

    def test_walks_movements_given_out_of_date_order(self):
        shuffled = list(reversed(EXAMPLE_MOVEMENTS))

        interest = _interest(EXAMPLE_OPENING, shuffled)

        assert interest == 1_944

    def test_counts_a_deposit_on_the_closing_30_june_for_one_day(self):
        movements = [(THIS_30_JUNE, 2_400_000)]

        interest = _interest(0, movements)

        # 2,400,000 fen × 1 day × 0.015 / 360 = 100 fen.
        assert interest == 100

    def test_counts_a_deposit_on_1_july_for_the_whole_period(self):
        movements = [(datetime.date(2025, 7, 1), 2_400_000)]

        interest = _interest(0, movements)

        # 2,400,000 fen × 365 days × 0.015 / 360 = 36,500 fen, the same as an opening balance.
        assert interest == 36_500
        assert interest == _interest(2_400_000, [])

    def test_lowers_the_base_after_a_mid_year_withdrawal(self):
        withdrawal = [(datetime.date(2026, 1, 15), -1_000_000)]

        with_withdrawal = _interest(2_400_000, withdrawal)

        # 2,400,000 × 365 − 1,000,000 × 167 = 709,000,000 fen-days → 29,541.66… → 29,542 fen.
        assert with_withdrawal == 29_542
        assert with_withdrawal < _interest(2_400_000, [])

    def test_rounds_half_a_fen_up(self):
        half_a_fen, just_under = 12_000, 11_999  # × 0.015 / 360 = 0.5 and 0.49995… fen

        assert interest_from_base(half_a_fen, annual_rate=RATE, basis=BASIS) == 1
        assert interest_from_base(just_under, annual_rate=RATE, basis=BASIS) == 0

    def test_refuses_a_movement_outside_the_period(self):
        for outside in (LAST_30_JUNE, datetime.date(2026, 7, 1)):
            with pytest.raises(ValueError, match="outside"):
                _interest(0, [(outside, 100)])

    def test_refuses_a_float_rate(self):
        with pytest.raises(TypeError):
            interest_from_base(1_000, annual_rate=0.015, basis=BASIS)


class TestInterestToDate:
    def test_pays_interest_from_the_last_30_june_up_to_and_including_the_closing_day(self):
        closing_day = datetime.date(2025, 7, 10)

        interest = interest_to_date(
            opening_balance=2_400_000, movements=[], on=closing_day, annual_rate=RATE, basis=BASIS
        )

        # 1 – 10 July: 2,400,000 × 10 × 0.015 / 360 = 1,000 fen.
        assert interest == 1_000

    def test_starts_a_30_june_closing_from_the_previous_30_june(self):
        assert last_settlement_day(THIS_30_JUNE) == LAST_30_JUNE
        assert last_settlement_day(datetime.date(2026, 7, 1)) == THIS_30_JUNE


@pytest.mark.django_db
class TestSettlementBases:
    def test_equals_the_walked_base_of_the_example(self):
        account = _example_account()

        bases = {
            pk: base
            for pk, _code, base in settlement_bases(period_start=LAST_30_JUNE, period_end=THIS_30_JUNE)
        }

        assert bases[account.pk] == 46_660_000

    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        st.lists(
            st.tuples(
                st.integers(min_value=-30, max_value=400), st.integers(min_value=-500_000, max_value=500_000)
            ),
            max_size=12,
        )
    )
    def test_equals_the_pure_function_for_any_movements(self, raw):
        movements, balance = [], 0
        for offset, amount in sorted(raw):
            on = LAST_30_JUNE + datetime.timedelta(days=offset)
            amount = max(amount, -balance)  # a fund account never goes below zero
            if amount:
                movements.append((on, amount))
                balance += amount
        account = _account_with(movements)

        bases = {
            pk: base
            for pk, _code, base in settlement_bases(period_start=LAST_30_JUNE, period_end=THIS_30_JUNE)
        }

        opening = sum(amount for on, amount in movements if on <= LAST_30_JUNE)
        inside = [(on, amount) for on, amount in movements if LAST_30_JUNE < on <= THIS_30_JUNE]
        expected = interest_base(
            opening_balance=opening, movements=inside, period_start=LAST_30_JUNE, period_end=THIS_30_JUNE
        )
        assert bases.get(account.pk, 0) == expected


@pytest.mark.django_db
class TestSettleInterest:
    def test_posts_the_hand_computed_interest_to_the_fund_account(self):
        account = _example_account()
        expense_before = balance_of(services.centre_account(INTEREST_EXPENSE))

        report = settle_interest(on=THIS_30_JUNE)

        entry = JournalEntry.objects.get(idempotency_key=f"interest:{account.code}:2026")
        assert (entry.business_type, entry.business_on, entry.amount) == ("09", THIS_30_JUNE, 1_944)
        assert balance_of(account) == 140_000 + 1_944
        assert balance_of(services.centre_account(INTEREST_EXPENSE)) == expense_before + 1_944
        assert (report.accounts_settled, report.interest_fen) == (1, 1_944)

    def test_counts_a_deposit_on_the_previous_30_june_for_the_whole_year(self):
        account = _account_with([(LAST_30_JUNE, 2_400_000)])

        settle_interest(on=THIS_30_JUNE)

        assert balance_of(account) == 2_400_000 + 36_500

    def test_pays_one_day_on_a_deposit_on_the_settlement_day(self):
        account = _account_with([(THIS_30_JUNE, 2_400_000)])

        settle_interest(on=THIS_30_JUNE)

        assert balance_of(account) == 2_400_000 + 100

    def test_leaves_a_deposit_of_1_july_to_next_year(self):
        account = _account_with([(datetime.date(2026, 7, 1), 2_400_000)])

        report = settle_interest(on=THIS_30_JUNE)

        assert balance_of(account) == 2_400_000
        assert (report.accounts_settled, report.accounts_zero) == (0, 1)

    def test_settles_an_account_opened_mid_year_from_its_first_deposit(self):
        account = _account_with([(datetime.date(2026, 3, 1), 2_400_000)])

        settle_interest(on=THIS_30_JUNE)

        # 1 March – 30 June is 122 days: 2,400,000 × 122 × 0.015 / 360 = 12,200 fen.
        assert balance_of(account) == 2_400_000 + 12_200

    def test_lowers_the_interest_after_a_mid_year_withdrawal(self):
        account = _account_with([(LAST_30_JUNE, 2_400_000), (datetime.date(2026, 1, 15), -1_000_000)])

        settle_interest(on=THIS_30_JUNE)

        assert balance_of(account) == 1_400_000 + 29_542

    def test_changes_nothing_when_run_again(self):
        account = _example_account()
        first = settle_interest(on=THIS_30_JUNE)
        entries_before = JournalEntry.objects.count()

        again = settle_interest(on=THIS_30_JUNE)

        assert JournalEntry.objects.count() == entries_before
        assert balance_of(account) == 140_000 + 1_944
        assert (again.accounts_settled, again.accounts_already_settled) == (0, first.accounts_settled)
        assert again.interest_fen == first.interest_fen

    def test_posts_nothing_for_an_account_whose_interest_is_zero(self):
        account = _account_with([(LAST_30_JUNE, 10)])  # 10 × 365 × 0.015 / 360 = 0.15 fen

        report = settle_interest(on=THIS_30_JUNE)

        assert balance_of(account) == 10
        assert not JournalEntry.objects.filter(idempotency_key=f"interest:{account.code}:2026").exists()
        assert report.accounts_zero >= 1

    def test_reports_the_policy_rate_and_basis_in_force(self):
        report = settle_interest(on=THIS_30_JUNE)

        assert (report.annual_rate, report.basis) == (RATE, BASIS)
        assert report.period_start == LAST_30_JUNE

    def test_refuses_a_day_other_than_30_june(self):
        with pytest.raises(ValueError, match="30 June"):
            settle_interest(on=datetime.date(2026, 7, 1))


@pytest.mark.django_db
class TestSettleInterestCommand:
    def test_prints_the_accounts_and_total_in_yuan(self):
        _example_account()
        out = StringIO()

        call_command("settle_interest", "--on", "2026-06-30", stdout=out)

        assert "accounts settled: 1" in out.getvalue()
        assert "total interest: 19.44 yuan" in out.getvalue()


def _settle_the_old_way(accounts, on=THIS_30_JUNE):
    """What settle_interest did before the bulk path: one Posting per account through post_entries."""
    period_start = last_settlement_day(on)
    bases = {pk: base for pk, _code, base in settlement_bases(period_start=period_start, period_end=on)}
    expense = services.centre_account(INTEREST_EXPENSE)
    postings = []
    for account in accounts:
        interest = interest_from_base(bases.get(account.pk, 0), annual_rate=RATE, basis=BASIS)
        if interest > 0:
            postings.append(
                services.Posting(
                    lines=[services.Line(expense, debit=interest), services.Line(account, credit=interest)],
                    business_type=BusinessType.ANNUAL_INTEREST,
                    business_on=on,
                    idempotency_key=settlement_key(account.code, on.year),
                    memo=f"年终结息 {period_start.isoformat()}~{on.isoformat()}",
                )
            )
    with transaction.atomic():
        services.post_entries(postings)


def _settlement_of(account):
    """The account's interest entry for 2026 as comparable values, or None."""
    entry = JournalEntry.objects.filter(idempotency_key=settlement_key(account.code, 2026)).first()
    if entry is None:
        return None
    lines = sorted((line.account_id == account.pk, line.debit, line.credit) for line in entry.lines.all())
    return (entry.business_type, entry.business_on, entry.memo, entry.amount, lines)


# Hand-computed interest of each history (see the worked example and TestInterestFor).
HISTORIES = [
    ([(LAST_30_JUNE, EXAMPLE_OPENING), *EXAMPLE_MOVEMENTS], 1_944),
    ([(LAST_30_JUNE, 2_400_000), (datetime.date(2026, 1, 15), -1_000_000)], 29_542),
    ([(datetime.date(2026, 3, 1), 2_400_000)], 12_200),
    ([(THIS_30_JUNE, 12_000)], 1),  # 12,000 fen-days × 0.015 / 360 = exactly half a fen: up
    ([(THIS_30_JUNE, 11_999)], 0),  # just under half a fen: nothing posted
    ([(LAST_30_JUNE, 10)], 0),  # 0.15 fen
]


@pytest.mark.django_db
class TestSettleInterestInBulk:
    def test_posts_what_the_per_entry_path_posted_to_the_fen(self):
        old = [_account_with(history) for history, _interest in HISTORIES]
        new = [_account_with(history) for history, _interest in HISTORIES]
        _settle_the_old_way(old)

        report = settle_interest(on=THIS_30_JUNE)

        hand = [interest for _history, interest in HISTORIES]
        posted = [entry[3] if entry else 0 for entry in map(_settlement_of, new)]
        assert posted == hand
        assert [_settlement_of(account) for account in new] == [_settlement_of(account) for account in old]
        assert [balance_of(account) for account in new] == [balance_of(account) for account in old]
        assert (report.accounts_settled, report.accounts_already_settled) == (4, 4)
        assert report.interest_fen == 2 * sum(hand)

    def test_settles_every_account_when_the_run_is_split_into_chunks(self):
        accounts = [_account_with([(LAST_30_JUNE, 2_400_000)]) for _ in range(5)]

        report = settle_interest(on=THIS_30_JUNE, chunk_size=2)

        assert {balance_of(account) for account in accounts} == {2_400_000 + 36_500}
        assert report.accounts_settled == 5
        assert AuditEvent.objects.filter(action=ACCOUNT_ENTRIES_ACTION).count() == 3

    def test_writes_one_audit_event_per_chunk_and_the_chain_verifies(self):
        accounts = [_account_with([(LAST_30_JUNE, 2_400_000 + i)]) for i in range(3)]

        settle_interest(on=THIS_30_JUNE)

        event = AuditEvent.objects.get(action=ACCOUNT_ENTRIES_ACTION)
        assert event.data["entries"] == 3
        assert event.data["total_fen"] == sum(
            JournalEntry.objects.get(idempotency_key=settlement_key(account.code, 2026)).amount
            for account in accounts
        )
        assert journal_digest_of_batch(event.data) == event.data["digest"]
        out = StringIO()
        call_command("verify_audit_chain", stdout=out)
        assert "audit chain intact" in out.getvalue()

    def test_records_a_completed_run_once(self):
        _example_account()
        assert not interest_settled(on=THIS_30_JUNE)

        settle_interest(on=THIS_30_JUNE)
        settle_interest(on=THIS_30_JUNE)

        assert interest_settled(on=THIS_30_JUNE)
        event = AuditEvent.objects.get(action=SETTLED_ACTION)
        assert (event.data["on"], event.data["accounts_settled"], event.data["interest_fen"]) == (
            "2026-06-30",
            1,
            1_944,
        )

    def test_changes_no_balance_entry_or_audit_event_when_run_again(self):
        account = _example_account()
        settle_interest(on=THIS_30_JUNE)
        before = (JournalEntry.objects.count(), AuditEvent.objects.count(), balance_of(account))

        settle_interest(on=THIS_30_JUNE)

        assert (JournalEntry.objects.count(), AuditEvent.objects.count(), balance_of(account)) == before

    def test_leaves_every_ledger_invariant_intact(self):
        for history, _interest in HISTORIES:
            _account_with(history)

        settle_interest(on=THIS_30_JUNE)

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what COMMIT would check
        out = StringIO()
        call_command("verify_ledger", stdout=out)
        assert "ledger intact" in out.getvalue()


@pytest.mark.postgres
@pytest.mark.django_db
class TestHalfUpInterestSql:
    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        base=st.one_of(
            st.integers(min_value=0, max_value=10**16),
            # Within a fen-day of an exact half fen at 1.5 % over 360 days: (2k + 1) × 12,000.
            st.builds(
                lambda k, nudge: max((2 * k + 1) * 12_000 + nudge, 0),
                st.integers(min_value=0, max_value=10**9),
                st.integers(min_value=-1, max_value=1),
            ),
        ),
        rate=st.sampled_from([RATE, Decimal("0.0135"), Decimal("0.0275"), Decimal("0.0035")]),
        basis=st.sampled_from([360, 365]),
    )
    def test_rounds_every_base_as_interest_from_base_does(self, base, rate, basis):
        rounded, params = half_up_interest_sql("%s::numeric", annual_rate=rate, basis=basis)

        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {rounded}", [base, *params])
            in_sql = cursor.fetchone()[0]

        assert in_sql == interest_from_base(base, annual_rate=rate, basis=basis)
