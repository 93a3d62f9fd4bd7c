"""Reading people and fund accounts: lookups by ID number and account number, account summaries,
the withdrawal lock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import BigIntegerField, F, Func, Q, Sum, Window
from django.utils import timezone

from accounts.models import AccountStatus, FundAccount, Person, WithdrawalLock
from core.crypto import blind_index, mask_bank_card
from core.money import FEN_HALF_UP, share_fen
from core.policy import UnknownPolicyParameter, policy_value
from ledger.models import BusinessType, JournalLine, LedgerAccount
from ledger.selectors import Movement

#: The business types that put a month's deposit on an account: 汇缴 01 and 补缴 02.
DEPOSIT_TYPES = (BusinessType.MONTHLY_DEPOSIT, BusinessType.BACK_PAYMENT)


@dataclass(frozen=True)
class AccountSummary:
    """What an employee sees first: amounts in fen, converted to yuan only at the edges."""

    account_no: str
    status: str
    status_label: str
    balance: int
    monthly_deposit: int
    employer_part: int
    employee_part: int
    employer_name: str | None
    paid_up_to: date | None
    sealed_on: date | None


def person_by_id_number(id_number: str) -> Person | None:
    """The person with this ID number (any case of ``x``, spaces ignored), through the blind index."""
    if not id_number or not id_number.strip():
        return None
    return Person.objects.filter(id_number_index=blind_index(id_number)).select_related("user").first()


def account_by_no(no: str) -> FundAccount | None:
    return (
        FundAccount.objects.filter(account_no=(no or "").strip())
        .select_related("person", "employer", "ledger_account")
        .first()
    )


def monthly_parts(
    *, base: int, employer_rate_bp: int, employee_rate_bp: int, rounding: str = FEN_HALF_UP
) -> tuple[int, int]:
    """The employer's and the employee's monthly amounts, each rounded separately (DOMAIN.md §4)."""
    # base × rate in basis points / 10000, each part rounded on its own, in exact integers.
    employer_part = share_fen(base, employer_rate_bp, 10000, rounding)
    employee_part = share_fen(base, employee_rate_bp, 10000, rounding)
    return employer_part, employee_part


def deposit_rounding() -> str:
    """The ``deposit.rounding`` rule in force today (DOMAIN.md §4): how each monthly part is rounded."""
    # The national default when no rounding rule is in force (a flushed test database).
    try:
        return policy_value("deposit.rounding")
    except UnknownPolicyParameter:
        return FEN_HALF_UP


def current_monthly_parts(account: FundAccount) -> tuple[int, int]:
    """The unit's and the person's monthly deposit at the account's current base and its unit's rates."""
    employer = account.employer
    if employer is None or account.status != AccountStatus.NORMAL:
        # Nothing is paid into a sealed, frozen or closed account.
        return 0, 0
    return monthly_parts(
        base=account.base,
        employer_rate_bp=employer.employer_rate_bp,
        employee_rate_bp=employer.employee_rate_bp,
        rounding=deposit_rounding(),
    )


#: What a summary reads of the account, its unit and its ledger row: every employee's first page
#: asks for it, and loading the rows' other columns was a good part of its time.
_SUMMARY_FIELDS = (
    "account_no",
    "person_id",
    "status",
    "base",
    "sealed_on",
    "employer__name",
    "employer__paid_up_to",
    "employer__employer_rate_bp",
    "employer__employee_rate_bp",
    "ledger_account__kind",
    "ledger_account__balance",
)


def _account_of(person: Person) -> FundAccount | None:
    return (
        FundAccount.objects.filter(person=person)
        .select_related("employer", "ledger_account")
        .only(*_SUMMARY_FIELDS)
        .first()
    )


def account_summary(person: Person) -> AccountSummary | None:
    """The person's account with balance and the monthly deposit at the current base, or None."""
    account = _account_of(person)
    return None if account is None else _summary_of(account)


def account_summary_with_recent_movements(
    person: Person, *, latest: int
) -> tuple[AccountSummary | None, list[Movement]]:
    """The summary and the account's newest ``latest`` movements, newest first (the hall's front page).

    Two queries whatever the account's age: the account, then only the rows shown.
    """
    account = _account_of(person)
    if account is None:
        return None, []
    return _summary_of(account), recent_movements(account.ledger_account, latest=latest)


class _RunningSum(Func):
    """``SUM(...)`` usable over a window of grouped rows: ``SUM(SUM(credit)) OVER (...)``.

    Django's ``Sum`` refuses an aggregate inside it; the database does not.
    """

    function = "SUM"
    window_compatible = True
    output_field = BigIntegerField()


def recent_movements(account: LedgerAccount, *, latest: int) -> list[Movement]:
    """The newest ``latest`` movements of ``account``, newest first, each with the balance after it.

    The same movements and balances as the tail of :func:`ledger.selectors.movements_of` (business
    date, then posting order), but the running balance is summed by the database over the
    account's whole history in the same statement, so only the rows shown reach Python and the
    balances come from one consistent snapshot.
    """
    order = [F("entry__business_on").asc(), F("entry_id").asc()]
    rows = (
        JournalLine.objects.filter(account=account)
        .values("entry_id", "entry__business_on", "entry__posted_at", "entry__business_type", "entry__memo")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        .annotate(
            debit_to_date=Window(_RunningSum(F("debit")), order_by=order),
            credit_to_date=Window(_RunningSum(F("credit")), order_by=order),
        )
        .order_by("-entry__business_on", "-entry_id")[:latest]
    )
    return [
        Movement(
            entry_id=row["entry_id"],
            posted_on=row["entry__business_on"],
            posted_at=row["entry__posted_at"],
            business_type=row["entry__business_type"],
            business_type_label=BusinessType(row["entry__business_type"]).label,
            amount=account.signed(debit=row["debit"], credit=row["credit"]),
            balance_after=account.signed(debit=row["debit_to_date"], credit=row["credit_to_date"]),
            memo=row["entry__memo"],
        )
        for row in rows
    ]


def _summary_of(account: FundAccount) -> AccountSummary:
    employer = account.employer
    employer_part, employee_part = current_monthly_parts(account)
    return AccountSummary(
        account_no=account.account_no,
        status=account.status,
        status_label=account.get_status_display(),
        # Read with the account in the query above (select_related), so as fresh as a re-read.
        balance=account.ledger_account.balance,
        monthly_deposit=employer_part + employee_part,
        employer_part=employer_part,
        employee_part=employee_part,
        employer_name=employer.name if employer else None,
        paid_up_to=employer.paid_up_to if employer else None,
        sealed_on=account.sealed_on,
    )


def account_deposit_months(account: FundAccount, *, since: date | None = None) -> frozenset[date]:
    """The months (their first day) with a deposit (汇缴 01, 补缴 02) to ``account``, from ``since``.

    A duplicate account merged into this one (03) keeps its own deposit lines: its months count.
    The loan and withdrawal rules, transfers and the deposit certificate all count months so.
    """
    dates = JournalLine.objects.filter(
        Q(account_id=account.ledger_account_id)
        | Q(account__fund_account__merged_into__account_id=account.pk),
        credit__gt=0,
        entry__business_type__in=DEPOSIT_TYPES,
    )
    if since is not None:
        dates = dates.filter(entry__business_on__gte=since)
    return frozenset(day.replace(day=1) for day in dates.values_list("entry__business_on", flat=True))


@dataclass(frozen=True)
class WithdrawalLockState:
    """The lock as the hall shows it: ``unlocks_at`` is set while an unlock is cooling off."""

    locked: bool
    locked_at: datetime | None
    unlock_requested_at: datetime | None
    unlocks_at: datetime | None

    @property
    def unlock_pending(self) -> bool:
        return self.locked and self.unlocks_at is not None


def withdrawal_lock_state(person: Person, at: datetime | None = None) -> WithdrawalLockState:
    at = at or timezone.now()
    lock = WithdrawalLock.objects.filter(person=person).first()
    if lock is None or not lock.locked_on(at):
        return WithdrawalLockState(False, None, None, None)
    return WithdrawalLockState(True, lock.locked_at, lock.unlock_requested_at, lock.unlocks_at)


def withdrawals_locked(person: Person, at: datetime | None = None) -> bool:
    """Whether ``person`` has locked withdrawals at ``at`` (now by default)."""
    at = at or timezone.now()
    lock = WithdrawalLock.objects.filter(person=person).only("locked_at", "unlocks_at").first()
    return lock is not None and lock.locked_on(at)


def payout_card(person: Person) -> str | None:
    """The person's payout card, masked, only if the bank confirmed it is in their own name."""
    if person.bank_card and person.bank_card_verified_at:
        return mask_bank_card(person.bank_card)
    return None
