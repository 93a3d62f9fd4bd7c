"""Intra-city transfers (内部转移, business type 06, DOMAIN.md §8): self-service moves and merges.

Two use cases, each one durable transaction:

- :func:`request_intra_city_move`: a person whose account is sealed (02) at a former unit asks,
  with nothing but their login, for it to move to the unit they work for now. The current unit
  is the one 社保 reports (social security, asked before the transaction); it must be a unit
  registered here whose unit account is normal (01). The move itself is the one a hiring unit's
  take-on makes (``accounts.services.move_account_in_transaction``): unsealed at the new unit,
  same account number and history, recorded as an ``AccountMove``, the person told.
- :func:`merge_accounts`: two accounts of one human (legacy data: a first-generation 15-digit ID
  number registered beside its 18-digit upgrade) become one. The absorbed account's interest to
  date is paid, its whole balance moves to the surviving account in one balanced 06 entry (debit
  the absorbed FUND account, credit the surviving one), and it is closed as 03 merged. A loan or
  loan application naming the absorbed record refuses the merge; that record's web-hall login
  moves to the surviving record (or is retired when the surviving record has its own).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import (
    AccountMove,
    AccountMoveKind,
    AccountStatus,
    Employer,
    EmployerStatus,
    FundAccount,
    Person,
    User,
)
from accounts.services import close_account_in_transaction, move_account_in_transaction
from approvals.models import OPEN_APPLICATION_STATUSES, Application, ApplicationStatus
from audit.services import record_event
from core.exceptions import DomainError
from core.identity import InvalidIdNumber, parse_resident_id
from core.money import format_yuan
from integrations.gov import ports
from integrations.gov.registry import gov_source
from ledger.centre import INTEREST_EXPENSE
from ledger.interest import pay_interest_to_date
from ledger.models import BusinessType, LedgerAccount
from ledger.selectors import balance_of
from ledger.services import Line, centre_account, post_entry
from notifications.models import MessageKind
from notifications.services import notify
from notifications.text import Day, Text, yuan
from payouts.models import FINAL_STATUSES, Payout
from withdrawals.models import InstructionStatus, PaymentStatus, StandingInstruction, WithdrawalPayment

#: approvals.Application.kind of a withdrawal (withdrawals.services.KIND).
_WITHDRAWAL_KIND = "withdrawal"
_MOVES_PATH = "/hall/transfers/"


class IntraCityError(DomainError):
    code = "INTRA_CITY"
    http_status = 409


class NoFundAccount(IntraCityError):
    code = "NO_FUND_ACCOUNT"
    http_status = 404


class AccountNotSealed(IntraCityError):
    code = "ACCOUNT_NOT_SEALED"


class NoCurrentEmployer(IntraCityError):
    code = "NO_CURRENT_EMPLOYER"


class EmployerNotRegisteredHere(IntraCityError):
    code = "EMPLOYER_NOT_REGISTERED"


class EmployerNotPaying(IntraCityError):
    code = "EMPLOYER_NOT_PAYING"


class SameUnit(IntraCityError):
    code = "SAME_UNIT"


class EmploymentSourceUnavailable(IntraCityError):
    code = "SOURCE_UNAVAILABLE"
    http_status = 503


class NotSameHuman(IntraCityError):
    code = "NOT_SAME_PERSON"


class AccountNotMergeable(IntraCityError):
    code = "ACCOUNT_NOT_MERGEABLE"


class AccountFrozen(IntraCityError):
    code = "ACCOUNT_FROZEN"


class WithdrawalOpen(IntraCityError):
    code = "WITHDRAWAL_OPEN"


class LoanOpen(IntraCityError):
    code = "LOAN_OPEN"


# --- self-service move --------------------------------------------------------------------


def _timeout() -> float:
    # A person is waiting at the page, as for a 秒批 decision.
    return float(getattr(settings, "DECISION_SOURCE_TIMEOUT_S", 2.0))


def _current_employment(person: Person, *, requested_by: str) -> ports.EmploymentRecord:
    source = gov_source(ports.SOCIAL_SECURITY, purpose="intra-city-transfer", requested_by=requested_by)
    try:
        record = source.employment(person.id_number, timeout=_timeout())
    except ports.SourceUnavailable:
        raise EmploymentSourceUnavailable(
            _(
                "The social security register (社保) did not answer in time, so nothing was changed. "
                "Please try again in a few minutes."
            )
        ) from None
    if record is None or record.ended_on is not None or not record.employer_credit_code:
        raise NoCurrentEmployer(
            _(
                "The social security register shows no current employer for you, so there is no "
                "unit to move your account to. Your new unit can add you instead."
            )
        )
    return record


def _registered_unit(record: ports.EmploymentRecord) -> Employer:
    employer = Employer.objects.filter(credit_code=record.employer_credit_code.strip().upper()).first()
    if employer is None:
        raise EmployerNotRegisteredHere(
            _(
                "Your current employer %(name)s has no unit account at this centre: it must open one "
                "(单位开户) before your account can move there."
            )
            % {"name": record.employer_name}
        )
    if employer.status != EmployerStatus.NORMAL:
        raise EmployerNotPaying(
            _(
                "The unit account of your current employer %(name)s is not in normal standing, so "
                "your account cannot move there online: ask the unit to contact the centre."
            )
            % {"name": employer.name}
        )
    return employer


def _sealed_account_of(person: Person) -> FundAccount:
    account = FundAccount.objects.filter(person=person).first()
    if account is None:
        raise NoFundAccount(_("You have no fund account yet."))
    if account.status != AccountStatus.SEALED:
        raise AccountNotSealed(
            _(
                "Your account is %(status)s. Only a sealed (封存) account, left at a former unit, "
                "can move to your current unit."
            )
            % {"status": account.get_status_display()}
        )
    return account


def request_intra_city_move(*, person: Person, actor) -> AccountMove:
    """Move ``person``'s sealed account to the unit 社保 says they work for now (module docstring).

    Nothing is asked of the person: the account, the unit and the date (today) are all known.
    The base stays the account's last one until the unit's next list or base adjustment.
    """
    account = _sealed_account_of(person)
    # 社保 is asked before the transaction: no network call while holding a row lock.
    record = _current_employment(person, requested_by=getattr(actor, "username", None) or "system")
    employer = _registered_unit(record)
    if employer.pk == account.employer_id:
        raise SameUnit(
            _(
                "Your account is sealed at the unit you work for now: ask the unit to unseal it "
                "(启封); no transfer is needed."
            )
        )
    today = timezone.localdate()
    with transaction.atomic(durable=True):
        # Checked again under the lock: the unit may have added the person a moment ago.
        locked = FundAccount.objects.select_for_update().get(pk=account.pk)
        if locked.status != AccountStatus.SEALED:
            raise AccountNotSealed(
                _("Your account is %(status)s now: it has already moved, or changed meanwhile.")
                % {"status": locked.get_status_display()}
            )
        moved = move_account_in_transaction(account=locked, employer=employer, moved_on=today, actor=actor)
        return AccountMove.objects.filter(account=moved, kind=AccountMoveKind.MOVE).latest("pk")


# --- merging two accounts of one human ----------------------------------------------------


def _canonical_id_number(number: str) -> str | None:
    """The 18-digit form of an ID number: a 15-digit first-generation one upgraded (19 + check).

    None when the number is neither (legacy rows are not validated; an unreadable one matches
    nothing).
    """
    text = "".join(unicodedata.normalize("NFKC", number or "").split()).upper()
    if len(text) == 15 and text.isdigit():
        # GB 11643-1999: region (6), 19 + the 6-digit birth date, sequence (3), then the check.
        first17 = f"{text[:6]}19{text[6:]}"
        try:
            return parse_resident_id(first17 + _check_character(first17)).number
        except InvalidIdNumber:
            return None
    try:
        return parse_resident_id(text).number
    except InvalidIdNumber:
        return None


def _check_character(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


def _comparable_name(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name or "").split())


def same_human(first: Person, second: Person) -> bool:
    """Whether two person rows are one human: the same ID number once upgraded to 18 digits, same name.

    Deliberately strict: matching on name, birth date and hukou alone would merge namesakes'
    money. Anything else is for staff to resolve with the person and the register, not here.
    """
    number = _canonical_id_number(first.id_number)
    return (
        number is not None
        and number == _canonical_id_number(second.id_number)
        and _comparable_name(first.name) == _comparable_name(second.name)
        and first.birth_date == second.birth_date
    )


def _withdrawal_open(people: list[Person]) -> bool:
    """An application in flight, an approved one not yet paid, a payment still at the bank, or 按月还贷.

    Each would later take money from, or return money to, the account it started on.
    """
    return (
        Application.objects.filter(
            applicant__in=people, kind=_WITHDRAWAL_KIND, status__in=OPEN_APPLICATION_STATUSES
        ).exists()
        or WithdrawalPayment.objects.filter(
            application__applicant__in=people,
            application__status=ApplicationStatus.APPROVED,
            status=PaymentStatus.HELD,
        ).exists()
        or Payout.objects.filter(person__in=people).exclude(status__in=FINAL_STATUSES).exists()
        or StandingInstruction.objects.filter(person__in=people, status=InstructionStatus.ACTIVE).exists()
    )


# Loans sit in the same import layer as transfers: their rows are read by the app registry.
_OPEN_LOAN_APPLICATION_STATUSES = (
    "AWAITING_CO_BORROWER",
    "PRE_ACCEPTED",
    "IN_APPROVAL",
    "RETURNED",
    "APPROVED",
    "SIGNED",
)
_UNSETTLED_LOAN_ACCOUNT_STATUSES = ("DISBURSING", "ACTIVE")


def _loan_open(person: Person) -> bool:
    """A loan application in progress or a loan not settled, as borrower or co-borrower.

    Its contract, repayments and fund offsets name this person record and its account: merging
    the record away would leave them pointing at a closed account.
    """
    of_person = Q(applicant=person) | Q(co_borrower=person)
    applications = apps.get_model("loans", "LoanApplication").objects.filter(of_person)
    return (
        applications.filter(status__in=_OPEN_LOAN_APPLICATION_STATUSES).exists()
        or apps.get_model("loans", "LoanAccount")
        .objects.filter(status__in=_UNSETTLED_LOAN_ACCOUNT_STATUSES)
        .filter(Q(application__applicant=person) | Q(application__co_borrower=person))
        .exists()
    )


def _carry_login_over(surviving: Person, absorbed: Person, *, actor) -> str:
    """The absorbed record's web-hall login: moved to the surviving record if it has none, else retired.

    One human, one login: the person keeps signing in as before and sees the merged account.
    """
    login = absorbed.user
    if login is None:
        return ""
    absorbed.user = None
    absorbed.save(update_fields=["user"])
    if surviving.user_id is None:
        surviving.user = login
        surviving.save(update_fields=["user"])
        outcome = "moved"
    else:
        login.is_active = False
        login.save(update_fields=["is_active"])
        outcome = "retired"
    record_event(
        actor=actor,
        action=f"transfers.login_{outcome}",
        target=login,
        summary=f"合并账户: 登录账号 {login.username} {'转至保留账户' if outcome == 'moved' else '停用'}",
        data={"surviving_person": surviving.pk, "absorbed_person": absorbed.pk},
    )
    return outcome


@dataclass(frozen=True)
class Merged:
    move: AccountMove
    interest: int  # fen paid on the absorbed account to the merge day
    replayed: bool  # True when this pair was already merged: nothing was posted now


def _check_mergeable(surviving: FundAccount, absorbed: FundAccount) -> None:
    for account in (surviving, absorbed):
        if account.status == AccountStatus.FROZEN:
            raise AccountFrozen(
                _("Account %(no)s is frozen (冻结): it cannot be merged until it is unfrozen.")
                % {"no": account.account_no}
            )
        if account.is_closed:
            raise AccountNotMergeable(
                _("Account %(no)s is already closed (%(status)s).")
                % {"no": account.account_no, "status": account.get_status_display()}
            )
    if absorbed.status != AccountStatus.SEALED:
        # A unit still pays into it: closing it would bounce that unit's next list.
        raise AccountNotMergeable(
            _(
                "Account %(no)s is still paid into by a unit: only a sealed (封存) account can be "
                "absorbed. Seal it first, or keep it and absorb the other one."
            )
            % {"no": absorbed.account_no}
        )


def merge_accounts(*, surviving: FundAccount, absorbed: FundAccount, actor) -> Merged:
    """合并: ``absorbed`` (a duplicate of the same human) goes into ``surviving``; see the module docstring.

    Idempotent: merging a pair already merged returns the first merge and posts nothing. Refuses
    (and changes nothing) when the two are not one human, either is frozen or closed, the
    absorbed one is still paid into, or a withdrawal of either person is open.
    """
    if surviving.pk == absorbed.pk:
        raise AccountNotMergeable(_("An account cannot be merged into itself."))
    today = timezone.localdate()
    with transaction.atomic(durable=True):
        # Both rows in primary-key order: two merges of the same pair (either way round) queue
        # here instead of deadlocking, and the second sees the first's result.
        locked = {
            a.pk: a
            # Only the account rows: FOR UPDATE refuses the nullable side of the employer join.
            for a in FundAccount.objects.select_for_update(of=("self",))
            .select_related("person", "employer", "ledger_account")
            .filter(pk__in=[surviving.pk, absorbed.pk])
            .order_by("pk")
        }
        surviving, absorbed = locked[surviving.pk], locked[absorbed.pk]
        if absorbed.status == AccountStatus.MERGED:
            previous = AccountMove.objects.filter(merged_account=absorbed).first()
            if previous is not None and previous.account_id == surviving.pk:
                return Merged(move=previous, interest=0, replayed=True)
        if not same_human(surviving.person, absorbed.person):
            raise NotSameHuman(
                _(
                    "Accounts %(a)s and %(b)s do not belong to the same person (the ID numbers, once "
                    "upgraded to 18 digits, and the names must match)."
                )
                % {"a": surviving.account_no, "b": absorbed.account_no}
            )
        _check_mergeable(surviving, absorbed)
        if _withdrawal_open([surviving.person, absorbed.person]):
            raise WithdrawalOpen(
                _("A withdrawal of this person is still open or being paid: merge once it is settled.")
            )
        if absorbed.person_id != surviving.person_id and _loan_open(absorbed.person):
            raise LoanOpen(
                _(
                    "A loan or loan application names the record of account %(no)s: merge once it is "
                    "settled, or absorb the other account into this one."
                )
                % {"no": absorbed.account_no}
            )
        expense = centre_account(INTEREST_EXPENSE, spread_by=absorbed.ledger_account_id)
        # Every ledger row this merge touches, in primary-key order (the ledger's lock order), so
        # no deposit lands between reading the balance and moving it.
        list(
            LedgerAccount.objects.select_for_update()
            .filter(pk__in=[absorbed.ledger_account_id, surviving.ledger_account_id, expense.pk])
            .order_by("pk")
            .values_list("pk")
        )
        interest_entries = pay_interest_to_date(
            account=absorbed.ledger_account,
            on=today,
            idempotency_key=f"merge-interest:{absorbed.account_no}",
            memo=f"合并销户结息 至 {today.isoformat()}",
            actor=actor if isinstance(actor, User) else None,
        )
        amount = balance_of(absorbed.ledger_account)
        entry = None
        if amount > 0:
            entry = post_entry(
                lines=[
                    Line(absorbed.ledger_account, debit=amount),
                    Line(surviving.ledger_account, credit=amount),
                ],
                business_type=BusinessType.INTERNAL_TRANSFER,
                business_on=today,
                # An account is absorbed once, so its number names the posting for good.
                idempotency_key=f"merge:{absorbed.account_no}",
                memo=f"内部转移 合并账户 {absorbed.account_no} → {surviving.account_no}",
                actor=actor if isinstance(actor, User) else None,
            )
        close_account_in_transaction(
            account=absorbed, status=AccountStatus.MERGED, closed_on=today, actor=actor
        )
        move = AccountMove.objects.create(
            kind=AccountMoveKind.MERGE,
            account=surviving,
            merged_account=absorbed,
            from_employer=absorbed.employer,
            to_employer=surviving.employer,
            moved_on=today,
            amount=amount,
            entry=entry,
            actor=actor if isinstance(actor, User) else None,
        )
        if absorbed.person_id != surviving.person_id:
            _carry_login_over(surviving.person, absorbed.person, actor=actor)
        record_event(
            actor=actor,
            action="transfers.accounts_merged",
            target=surviving,
            summary=(
                f"内部转移 合并 account {absorbed.account_no} into {surviving.account_no}: "
                f"{format_yuan(amount)} 元"
            ),
            data={
                "business_type": BusinessType.INTERNAL_TRANSFER.value,
                "move_id": move.pk,
                "absorbed_id": absorbed.pk,
                "amount_fen": amount,
                "entry_id": entry.pk if entry else None,
            },
        )
        notify(
            person=surviving.person,
            kind=MessageKind.ACCOUNTS_MERGED,
            title=_("Fund accounts merged"),
            body=Text(
                _(
                    "On %(day)s your other housing fund account (ending %(absorbed)s) was merged into "
                    "your account (ending %(surviving)s), bringing in %(amount)s yuan; the other account "
                    "is closed as merged and its deposit history kept. Call 12329 with any question."
                ),
                day=Day(today),
                absorbed=absorbed.account_no[-4:],
                surviving=surviving.account_no[-4:],
                amount=yuan(amount),
            ),
            link=_MOVES_PATH,
        )
        interest = sum(e.amount for e in interest_entries)
        return Merged(move=move, interest=interest, replayed=False)


def account_moves_query(person: Person):
    """The moves and merges of ``person``'s account, newest first, for the hall's account history."""
    return (
        AccountMove.objects.filter(account__person=person)
        .select_related("from_employer", "to_employer", "merged_account")
        .order_by("-moved_on", "-pk")
    )
