"""Use cases on people, employers, fund accounts and logins: the only code that writes them.

Every public service runs in its own ``transaction.atomic(durable=True)``, locks the row it
changes, checks the current state, and writes its audit event in the same transaction. The
``*_in_transaction`` helpers do the same work inside a caller's transaction, for services in
other apps that must commit a state change together with their own (a closing withdrawal pays
out and closes the account in one commit); they never open a transaction of their own.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import roles
from accounts.models import (
    ACCOUNT_STATUS_RECORD_NAMES,
    CLOSED_STATUSES,
    RATE_MAX_BP,
    RATE_MIN_BP,
    AccountMove,
    AccountMoveKind,
    AccountStatus,
    Employer,
    EmployerStatus,
    FundAccount,
    Language,
    Person,
    User,
    WithdrawalLock,
)
from accounts.numbering import FUND_ACCOUNT, UNIT_ACCOUNT, reserve_numbers
from audit.services import PendingEvent, record_event, record_events
from core.crypto import blind_index, mask_bank_card, mask_id_number
from core.exceptions import DomainError
from core.identity import (
    InvalidCreditCode,
    InvalidIdNumber,
    InvalidMobile,
    check_bank_card,
    check_credit_code,
    normalise_mobile,
    parse_resident_id,
)
from core.money import format_yuan
from core.policy import policy_snapshot
from ledger.models import BusinessType, LedgerAccount
from ledger.selectors import balance_of
from ledger.services import open_fund_ledger_account, open_fund_ledger_accounts
from notifications.messages import withdrawal_lock_changed
from notifications.models import MessageKind
from notifications.services import notify
from notifications.text import Day, Text

_REGION_CODE = re.compile(r"[0-9]{6}", re.ASCII)
# Units that may take on employees: closed (04) and sealed (05) units cannot.
_EMPLOYER_STATUSES_FOR_OPENING = (EmployerStatus.NORMAL, EmployerStatus.OPENED, EmployerStatus.DEFERRED)
_BULK_BATCH_SIZE = 1000


class AccountsError(DomainError):
    code = "ACCOUNTS_ERROR"


class PersonAlreadyRegistered(AccountsError):
    code = "PERSON_ALREADY_REGISTERED"


class InvalidName(AccountsError):
    code = "INVALID_NAME"


class InvalidHukouRegion(AccountsError):
    code = "INVALID_HUKOU_REGION"


class EmployerAlreadyRegistered(AccountsError):
    code = "EMPLOYER_ALREADY_REGISTERED"


class InvalidRate(AccountsError):
    code = "INVALID_RATE"


class InvalidBankAccount(AccountsError):
    code = "INVALID_BANK_ACCOUNT"


class CreditCodeConfirmationRefused(AccountsError):
    code = "CREDIT_CODE_CONFIRMATION_REFUSED"


class AccountAlreadyOpen(AccountsError):
    code = "ACCOUNT_ALREADY_OPEN"


class EmployerNotActive(AccountsError):
    code = "EMPLOYER_NOT_ACTIVE"


class InvalidBase(AccountsError):
    code = "INVALID_BASE"


class InvalidAccountDate(AccountsError):
    code = "INVALID_ACCOUNT_DATE"


class AccountNotSealable(AccountsError):
    code = "ACCOUNT_NOT_SEALABLE"


class AccountNotUnsealable(AccountsError):
    code = "ACCOUNT_NOT_UNSEALABLE"


class AccountNotClosable(AccountsError):
    code = "ACCOUNT_NOT_CLOSABLE"


class InvalidClosingStatus(AccountsError):
    code = "INVALID_CLOSING_STATUS"


class AccountHasBalance(AccountsError):
    code = "ACCOUNT_HAS_BALANCE"


class LoginAlreadyExists(AccountsError):
    code = "LOGIN_ALREADY_EXISTS"


class UsernameTaken(AccountsError):
    code = "USERNAME_TAKEN"


class UnknownRole(AccountsError):
    code = "UNKNOWN_ROLE"


class EmployerRequired(AccountsError):
    code = "EMPLOYER_REQUIRED"


class WeakPassword(AccountsError):
    code = "WEAK_PASSWORD"


def _single_spaced(text: str | None) -> str:
    # Names are compared and stored as typed but for runs of spaces, tabs and line breaks.
    return " ".join((text or "").split())


# --- people -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _PersonFacts:
    number: str
    index: str
    name: str
    sex: str
    birth_date: date
    mobile: str
    hukou_region: str


def _person_facts(*, id_number: str, name: str, mobile: str, hukou_region: str) -> _PersonFacts:
    resident = parse_resident_id(id_number)
    clean_name = _single_spaced(name)
    if not clean_name or len(clean_name) > 50:
        raise InvalidName(_("Enter the name as on the ID card (at most 50 characters)."), field="name")
    region = (hukou_region or "").strip()
    if not _REGION_CODE.fullmatch(region):
        raise InvalidHukouRegion(_("A hukou region is a 6-digit administrative code."), field="hukou_region")
    return _PersonFacts(
        number=resident.number,
        index=blind_index(resident.number),
        name=clean_name,
        sex=resident.sex,
        birth_date=resident.birth_date,
        mobile=normalise_mobile(mobile),
        hukou_region=region,
    )


def _person_from(facts: _PersonFacts) -> Person:
    return Person(
        id_number=facts.number,
        id_number_index=facts.index,
        name=facts.name,
        sex=facts.sex,
        birth_date=facts.birth_date,
        mobile=facts.mobile,
        hukou_region=facts.hukou_region,
    )


def _already_registered(number: str) -> PersonAlreadyRegistered:
    return PersonAlreadyRegistered(
        _("A person with ID number %(id)s is already registered.") % {"id": mask_id_number(number)},
        field="id_number",
    )


def _insert(instance, conflict: Callable[[], DomainError]) -> None:
    """Insert ``instance`` in a savepoint; a unique-constraint race becomes the domain error.

    The savepoint keeps the caller's transaction usable, so the error reaches the caller as a
    domain error rather than as a broken transaction.
    """
    try:
        with transaction.atomic():
            instance.save(force_insert=True)
    except IntegrityError:
        raise conflict() from None


def register_person(*, id_number: str, name: str, mobile: str, hukou_region: str, actor) -> Person:
    """Register 职工 ``name``; sex and birth date come from the ID number, which must be new."""
    facts = _person_facts(id_number=id_number, name=name, mobile=mobile, hukou_region=hukou_region)
    with transaction.atomic(durable=True):
        if Person.objects.filter(id_number_index=facts.index).exists():
            raise _already_registered(facts.number)
        person = _person_from(facts)
        # A concurrent registration of the same number loses on the unique index.
        _insert(person, lambda: _already_registered(facts.number))
        record_event(
            actor=actor,
            action="accounts.person_registered",
            target=person,
            summary=f"Registered person {person.masked_id_number}",
            data={"hukou_region": person.hukou_region},
        )
    return person


def bulk_register_people(
    rows: Iterable[Mapping[str, str]], *, actor, actor_label: str | None = None
) -> list[Person]:
    """Register many people at once (demo seeding, migrations from a legacy system).

    ``rows`` are mappings with ``id_number``, ``name``, ``mobile`` and ``hukou_region``. All or
    nothing: one invalid or already registered row raises before anything is written (the
    error message names the 1-based row). Inserts go in batches with ``bulk_create`` and each
    person still gets its own ``accounts.person_registered`` audit event, appended in bulk.
    """
    facts_list = []
    seen = set()
    for row_no, row in enumerate(rows, start=1):
        try:
            facts = _person_facts(
                id_number=row["id_number"],
                name=row["name"],
                mobile=row["mobile"],
                hukou_region=row["hukou_region"],
            )
        except DomainError as error:
            error.message = _("Row %(row)s: %(message)s") % {"row": row_no, "message": error.message}
            error.args = (error.message,)
            raise
        if facts.index in seen:
            raise _already_registered(facts.number)
        seen.add(facts.index)
        facts_list.append(facts)
    with transaction.atomic(durable=True):
        indexes = [facts.index for facts in facts_list]
        for start in range(0, len(indexes), _BULK_BATCH_SIZE):
            clash = Person.objects.filter(
                id_number_index__in=indexes[start : start + _BULK_BATCH_SIZE]
            ).first()
            if clash is not None:
                raise _already_registered(clash.id_number)
        people = Person.objects.bulk_create(
            [_person_from(facts) for facts in facts_list], batch_size=_BULK_BATCH_SIZE
        )
        if connection.features.can_return_rows_from_bulk_insert is False:
            # Without RETURNING the primary keys are unknown; read them back by blind index.
            by_index = dict(
                Person.objects.filter(id_number_index__in=indexes).values_list("id_number_index", "pk")
            )
            for person in people:
                person.pk = by_index[person.id_number_index]
        record_events(
            [
                PendingEvent(
                    actor=actor,
                    actor_label=actor_label,
                    action="accounts.person_registered",
                    target=person,
                    summary=f"Registered person {person.masked_id_number} (bulk)",
                    data={"hukou_region": person.hukou_region},
                )
                for person in people
            ]
        )
    return people


def set_bank_card(*, person: Person, card_number: str, verified_at=None, actor) -> Person:
    """Record the card payouts go to (in the person's own name); ``verified_at`` when the bank confirmed it.

    A card failing Luhn is accepted (some old domestic cards do): the payout bank's
    verification is the real check.
    """
    card = check_bank_card(card_number)
    with transaction.atomic(durable=True):
        person = Person.objects.select_for_update().get(pk=person.pk)  # one writer of the card at a time
        person.bank_card = card.number
        person.bank_card_last4 = card.number[-4:]
        person.bank_card_verified_at = verified_at
        person.save(update_fields=["bank_card", "bank_card_last4", "bank_card_verified_at"])
        record_event(
            actor=actor,
            action="accounts.bank_card_set",
            target=person,
            summary=f"Bank card {mask_bank_card(card.number)} set",
            data={"luhn_ok": card.luhn_ok, "verified": verified_at is not None},
        )
    return person


def bulk_set_bank_cards(
    cards: Iterable[tuple[Person, str, datetime | None]], *, actor, actor_label: str | None = None
) -> list[Person]:
    """:func:`set_bank_card` for many people at once (seeding, a migration from a legacy system).

    ``cards`` are ``(person, card_number, verified_at)``. All or nothing: a malformed number
    raises before anything is written. The people are locked in primary-key order, updated in
    one ``executemany``, and each gets its own ``accounts.bank_card_set`` audit event.
    """
    rows = [(person.pk, check_bank_card(number), verified_at) for person, number, verified_at in cards]
    person_ids = [person_id for person_id, _card, _verified_at in rows]
    if len(set(person_ids)) != len(person_ids):
        raise AccountsError(_("The same person appears twice in one bulk update."))
    with transaction.atomic(durable=True):
        locked: dict[int, Person] = {}
        ordered = sorted(person_ids)
        for start in range(0, len(ordered), _BULK_BATCH_SIZE):
            chunk = ordered[start : start + _BULK_BATCH_SIZE]
            # Primary-key order, as bulk_open_accounts locks: two bulk writers cannot deadlock.
            locked.update(
                (p.pk, p) for p in Person.objects.select_for_update().filter(pk__in=chunk).order_by("pk")
            )
        people = []
        for person_id, card, verified_at in rows:
            person = locked[person_id]
            person.bank_card = card.number
            person.bank_card_last4 = card.number[-4:]
            person.bank_card_verified_at = verified_at
            people.append(person)
        _update_bank_cards(people)
        record_events(
            [
                PendingEvent(
                    actor=actor,
                    actor_label=actor_label,
                    action="accounts.bank_card_set",
                    target=person,
                    summary=f"Bank card {mask_bank_card(card.number)} set (bulk)",
                    data={"luhn_ok": card.luhn_ok, "verified": verified_at is not None},
                )
                for person, (_person_id, card, verified_at) in zip(people, rows, strict=True)
            ]
        )
    return people


def _update_bank_cards(people: list[Person]) -> None:
    # One executemany: bulk_update's CASE expressions cost seconds for a few thousand rows.
    fields = [
        Person._meta.get_field(name) for name in ("bank_card", "bank_card_last4", "bank_card_verified_at")
    ]
    table = connection.ops.quote_name(Person._meta.db_table)
    columns = ", ".join(f"{connection.ops.quote_name(field.column)} = %s" for field in fields)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET {columns} WHERE id = %s",
            [
                [field.get_db_prep_save(getattr(person, field.attname), connection) for field in fields]
                + [person.pk]
                for person in people
            ],
        )


# --- employers ----------------------------------------------------------------------------


def _check_rate(value: int, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not RATE_MIN_BP <= value <= RATE_MAX_BP:
        raise InvalidRate(
            _("A contribution rate is between 5% and 12% (500 to 1200 basis points)."), field=field
        )
    return value


def _can_confirm(actor) -> bool:
    return actor is not None and bool(roles.roles_of(actor) & roles.CONFIRMING_STAFF_ROLES)


@dataclass(frozen=True)
class _EmployerFields:
    """A unit's registration fields, checked and in the form they are stored."""

    credit_code: str
    checksum_ok: bool
    name: str
    bank_account_no: str
    bank_name: str
    employer_rate_bp: int
    employee_rate_bp: int


def _clean_employer_fields(
    *,
    credit_code: str,
    name: str,
    bank_account_no: str,
    bank_name: str,
    employer_rate_bp: int,
    employee_rate_bp: int,
    bank_name_required: bool,
) -> _EmployerFields:
    """Check a unit's fields in the order a form shows them; the first bad one raises.

    ``bank_name_required``: a unit registering itself must name its bank (single-spaced, at
    most 100 characters); staff at the counter copy the bank's letter as it stands.
    """
    check = check_credit_code(credit_code)
    clean_name = _single_spaced(name)
    if not clean_name or len(clean_name) > 200:
        raise InvalidName(_("Enter the unit's registered name."), field="name")
    account_no = re.sub(r"[\s\-]+", "", bank_account_no or "")
    if not re.fullmatch(r"[0-9]{8,32}", account_no, re.ASCII):
        raise InvalidBankAccount(_("A bank account number has 8 to 32 digits."), field="bank_account_no")
    if bank_name_required:
        clean_bank = _single_spaced(bank_name)
        if not clean_bank or len(clean_bank) > 100:
            raise InvalidBankAccount(_("Enter the bank and branch of the account."), field="bank_name")
    else:
        clean_bank = (bank_name or "").strip()
    _check_rate(employer_rate_bp, "employer_rate_bp")
    _check_rate(employee_rate_bp, "employee_rate_bp")
    return _EmployerFields(
        credit_code=check.code,
        checksum_ok=check.checksum_ok,
        name=clean_name,
        bank_account_no=account_no,
        bank_name=clean_bank,
        employer_rate_bp=employer_rate_bp,
        employee_rate_bp=employee_rate_bp,
    )


def _register_employer_in_transaction(
    fields: _EmployerFields,
    *,
    name: str,
    confirmed_by: User | None,
    taken: Callable[[str], EmployerAlreadyRegistered],
    actor,
    actor_label: str | None = None,
    summary_suffix: str = "",
    extra_data: Mapping[str, object] | None = None,
) -> tuple[Employer, PendingEvent]:
    """Insert the unit under ``name`` with a new unit account number, in the caller's transaction.

    A code already registered raises ``taken(code)``, also when a concurrent registration wins
    the insert. Returns the unit and its ``accounts.employer_registered`` event, which the
    caller appends together with any events of its own.
    """
    _require_transaction("_register_employer_in_transaction")
    if Employer.objects.filter(credit_code=fields.credit_code).exists():
        raise taken(fields.credit_code)
    confirmed = confirmed_by is not None
    employer = Employer(
        credit_code=fields.credit_code,
        credit_code_checksum_ok=fields.checksum_ok,
        credit_code_confirmed_at=timezone.now() if confirmed else None,
        credit_code_confirmed_by=confirmed_by,
        name=name,
        unit_account_no=reserve_numbers(UNIT_ACCOUNT)[0],
        bank_account_no=fields.bank_account_no,
        bank_name=fields.bank_name,
        employer_rate_bp=fields.employer_rate_bp,
        employee_rate_bp=fields.employee_rate_bp,
        status=EmployerStatus.NORMAL if fields.checksum_ok or confirmed else EmployerStatus.OPENED,
    )
    # A concurrent registration of the same code loses here, on the unique index.
    _insert(employer, lambda: taken(fields.credit_code))
    event = PendingEvent(
        actor=actor,
        actor_label=actor_label,
        action="accounts.employer_registered",
        target=employer,
        summary=f"Registered unit {employer.credit_code} as {employer.unit_account_no}{summary_suffix}",
        data={
            "credit_code_checksum_ok": fields.checksum_ok,
            "credit_code_confirmed": confirmed,
            "employer_rate_bp": fields.employer_rate_bp,
            "employee_rate_bp": fields.employee_rate_bp,
            "status": employer.status,
            **(extra_data or {}),
        },
    )
    return employer, event


def _unit_already_registered(code: str) -> EmployerAlreadyRegistered:
    return EmployerAlreadyRegistered(
        _("A unit with credit code %(code)s is already registered.") % {"code": code},
        field="credit_code",
    )


def register_employer(
    *,
    credit_code: str,
    name: str,
    bank_account_no: str,
    bank_name: str,
    employer_rate_bp: int = RATE_MAX_BP,
    employee_rate_bp: int = RATE_MAX_BP,
    confirm_credit_code: bool = False,
    actor,
) -> Employer:
    """Register 单位 ``name`` and give it a unit account number.

    A credit code that fails its check character is accepted (DOMAIN.md §3) but the unit
    stays 02 开户 until staff confirm it, here with ``confirm_credit_code=True`` (the actor
    must hold a confirming staff role) or later with :func:`confirm_employer_credit_code`.
    """
    fields = _clean_employer_fields(
        credit_code=credit_code,
        name=name,
        bank_account_no=bank_account_no,
        bank_name=bank_name,
        employer_rate_bp=employer_rate_bp,
        employee_rate_bp=employee_rate_bp,
        bank_name_required=False,
    )
    confirmed = not fields.checksum_ok and confirm_credit_code
    if confirmed and not _can_confirm(actor):
        raise CreditCodeConfirmationRefused(_("Only centre staff can confirm a credit code."))
    with transaction.atomic(durable=True):
        employer, event = _register_employer_in_transaction(
            fields,
            name=fields.name,
            confirmed_by=actor if confirmed else None,
            taken=_unit_already_registered,
            actor=actor,
        )
        record_events([event])
    return employer


def confirm_employer_credit_code(*, employer: Employer, actor) -> Employer:
    """Staff confirm a legacy credit code that fails its check; a 02 开户 unit becomes 01 正常."""
    if not _can_confirm(actor):
        raise CreditCodeConfirmationRefused(_("Only centre staff can confirm a credit code."))
    with transaction.atomic(durable=True):
        employer = Employer.objects.select_for_update().get(pk=employer.pk)  # one confirmation wins
        if employer.credit_code_checksum_ok or employer.credit_code_confirmed_at is not None:
            raise CreditCodeConfirmationRefused(_("This credit code needs no confirmation."))
        employer.credit_code_confirmed_at = timezone.now()
        employer.credit_code_confirmed_by = actor
        if employer.status == EmployerStatus.OPENED:
            employer.status = EmployerStatus.NORMAL
        employer.save(update_fields=["credit_code_confirmed_at", "credit_code_confirmed_by", "status"])
        record_event(
            actor=actor,
            action="accounts.credit_code_confirmed",
            target=employer,
            summary=f"Confirmed legacy credit code {employer.credit_code}",
            data={"status": employer.status},
        )
    return employer


# --- fund accounts ------------------------------------------------------------------------


def _check_base(base: int) -> int:
    if isinstance(base, bool) or not isinstance(base, int) or base < 0:
        raise InvalidBase(_("The deposit base is a whole number of fen, zero or more."), field="base")
    return base


def _check_employer_can_take_on(employer: Employer) -> None:
    if employer.status not in _EMPLOYER_STATUSES_FOR_OPENING:
        raise EmployerNotActive(
            _("Unit %(code)s is closed or sealed and cannot take on employees.")
            % {"code": employer.credit_code},
            field="employer",
        )


def _lock_account(account: FundAccount) -> FundAccount:
    # The row lock makes "check the status, then change it" atomic against a concurrent service.
    return FundAccount.objects.select_for_update().get(pk=account.pk)


def _require_transaction(what: str) -> None:
    if not connection.in_atomic_block:
        raise RuntimeError(f"{what} must be called inside the caller's transaction.atomic()")


def open_account_in_transaction(
    *, person: Person, employer: Employer, base: int, opened_on: date, actor
) -> FundAccount:
    """:func:`open_account` inside the caller's transaction."""
    _require_transaction("open_account_in_transaction")
    _check_base(base)
    # Lock the person first: a second opening for the same person waits here, then sees the first.
    person = Person.objects.select_for_update().get(pk=person.pk)
    if FundAccount.objects.filter(person=person).exists():
        raise AccountAlreadyOpen(
            _("%(person)s already has a fund account: one person has one account in the city.")
            % {"person": person.masked_id_number}
        )
    employer = Employer.objects.get(pk=employer.pk)
    _check_employer_can_take_on(employer)
    account_no = reserve_numbers(FUND_ACCOUNT)[0]
    account = FundAccount(
        account_no=account_no,
        person=person,
        employer=employer,
        status=AccountStatus.NORMAL,
        base=base,
        opened_on=opened_on,
        ledger_account=open_fund_ledger_account(account_no=account_no),
    )
    # The one-to-one on person is the last word on "one account per person".
    _insert(account, lambda: AccountAlreadyOpen(_("This person already has a fund account.")))
    record_event(
        actor=actor,
        action="accounts.account_opened",
        target=account,
        summary=f"Opened account {account_no} for {person.masked_id_number} at {employer.credit_code}",
        data={"employer_id": employer.pk, "base": base, "opened_on": opened_on.isoformat()},
    )
    return account


def open_account(*, person: Person, employer: Employer, base: int, opened_on: date, actor) -> FundAccount:
    """Open 个人账户 for ``person`` at ``employer`` with deposit base ``base`` (fen).

    Refuses a second account for the same person (``ACCOUNT_ALREADY_OPEN``), also enforced by
    the database; creates the account's zero-balance ledger account in the same transaction.
    """
    with transaction.atomic(durable=True):
        return open_account_in_transaction(
            person=person, employer=employer, base=base, opened_on=opened_on, actor=actor
        )


def bulk_open_accounts(
    rows: Iterable[tuple[Person, Employer, int, date]], *, actor, actor_label: str | None = None
) -> list[FundAccount]:
    """Open many accounts at once: rows of ``(person, employer, base, opened_on)``.

    All or nothing, with the same checks as :func:`open_account`: the people are locked in
    primary-key order, account numbers are reserved as one block, accounts are inserted with
    ``bulk_create``, and each gets its own ``accounts.account_opened`` audit event.
    """
    rows = list(rows)
    for _person, employer, base, _opened_on in rows:
        _check_base(base)
        _check_employer_can_take_on(employer)
    person_ids = [person.pk for person, *_rest in rows]
    if len(set(person_ids)) != len(person_ids):
        raise AccountAlreadyOpen(_("The same person appears twice in one bulk opening."))
    with transaction.atomic(durable=True):
        for start in range(0, len(person_ids), _BULK_BATCH_SIZE):
            chunk = person_ids[start : start + _BULK_BATCH_SIZE]
            # Locked in primary-key order so two bulk openings cannot deadlock on each other.
            list(Person.objects.select_for_update().filter(pk__in=chunk).order_by("pk").values_list("pk"))
            taken = FundAccount.objects.filter(person_id__in=chunk).select_related("person").first()
            if taken is not None:
                raise AccountAlreadyOpen(
                    _("%(person)s already has a fund account.") % {"person": taken.person.masked_id_number}
                )
        numbers = reserve_numbers(FUND_ACCOUNT, len(rows))
        ledger_accounts = open_fund_ledger_accounts(account_nos=numbers)
        accounts = [
            FundAccount(
                account_no=account_no,
                person=person,
                employer=employer,
                status=AccountStatus.NORMAL,
                base=base,
                opened_on=opened_on,
                ledger_account=ledger_accounts[account_no],
            )
            for account_no, (person, employer, base, opened_on) in zip(numbers, rows, strict=True)
        ]
        accounts = FundAccount.objects.bulk_create(accounts, batch_size=_BULK_BATCH_SIZE)
        if connection.features.can_return_rows_from_bulk_insert is False:
            by_no = dict(FundAccount.objects.filter(account_no__in=numbers).values_list("account_no", "pk"))
            for account in accounts:
                account.pk = by_no[account.account_no]
        record_events(
            [
                PendingEvent(
                    actor=actor,
                    actor_label=actor_label,
                    action="accounts.account_opened",
                    target=account,
                    summary=(
                        f"Opened account {account.account_no} for {account.person.masked_id_number} (bulk)"
                    ),
                    data={
                        "employer_id": account.employer_id,
                        "base": account.base,
                        "opened_on": account.opened_on.isoformat(),
                    },
                )
                for account in accounts
            ]
        )
    return accounts


def seal_account_in_transaction(*, account: FundAccount, sealed_on: date, actor) -> FundAccount:
    """:func:`seal_account` inside the caller's transaction."""
    _require_transaction("seal_account_in_transaction")
    account = _lock_account(account)
    if account.status != AccountStatus.NORMAL:
        raise AccountNotSealable(
            _("Account %(no)s is %(status)s; only a normal account can be sealed.")
            % {"no": account.account_no, "status": account.get_status_display()}
        )
    if sealed_on < account.opened_on:
        raise InvalidAccountDate(_("An account cannot be sealed before it was opened."), field="sealed_on")
    account.status = AccountStatus.SEALED
    account.sealed_on = sealed_on
    account.save(update_fields=["status", "sealed_on"])
    record_event(
        actor=actor,
        action="accounts.account_sealed",
        target=account,
        summary=f"Sealed account {account.account_no}",
        data={"sealed_on": sealed_on.isoformat(), "employer_id": account.employer_id},
    )
    return account


def seal_account(*, account: FundAccount, sealed_on: date, actor) -> FundAccount:
    """封存: the employee left ``account.employer``; the account keeps its money and its history."""
    with transaction.atomic(durable=True):
        return seal_account_in_transaction(account=account, sealed_on=sealed_on, actor=actor)


def unseal_account_in_transaction(
    *, account: FundAccount, employer: Employer, unsealed_on: date, actor
) -> FundAccount:
    """:func:`unseal_account` inside the caller's transaction."""
    _require_transaction("unseal_account_in_transaction")
    account = _lock_account(account)
    if account.status != AccountStatus.SEALED:
        raise AccountNotUnsealable(
            _("Account %(no)s is %(status)s; only a sealed account can be unsealed.")
            % {"no": account.account_no, "status": account.get_status_display()}
        )
    if unsealed_on < account.sealed_on:
        raise InvalidAccountDate(
            _("An account cannot be unsealed before it was sealed."), field="unsealed_on"
        )
    employer = Employer.objects.get(pk=employer.pk)
    _check_employer_can_take_on(employer)
    previous_employer_id, sealed_on = account.employer_id, account.sealed_on
    account.status = AccountStatus.NORMAL
    account.employer = employer
    account.sealed_on = None
    account.save(update_fields=["status", "employer", "sealed_on"])
    record_event(
        actor=actor,
        action="accounts.account_unsealed",
        target=account,
        summary=f"Unsealed account {account.account_no} at {employer.credit_code}",
        data={
            "unsealed_on": unsealed_on.isoformat(),
            "sealed_on": sealed_on.isoformat(),
            "previous_employer_id": previous_employer_id,
            "employer_id": employer.pk,
        },
    )
    return account


def _moves_path() -> str:
    # Where the person sees their account's moves; a path, not a reverse(): accounts sits below web.
    return "/hall/transfers/"


def move_account_in_transaction(
    *, account: FundAccount, employer: Employer, moved_on: date, actor
) -> FundAccount:
    """内部转移 (business type 06) inside the caller's transaction: a sealed account moves to ``employer``.

    The account is unsealed there (:func:`unseal_account_in_transaction`, same number, same
    ledger, history kept), the move is recorded as an ``AccountMove`` the person sees in the
    hall, and the person is told by message (stored in Chinese, like every message).
    """
    _require_transaction("move_account_in_transaction")
    from_employer = _lock_account(account).employer
    account = unseal_account_in_transaction(
        account=account, employer=employer, unsealed_on=moved_on, actor=actor
    )
    move = AccountMove.objects.create(
        kind=AccountMoveKind.MOVE,
        account=account,
        from_employer=from_employer,
        to_employer=account.employer,
        moved_on=moved_on,
        actor=actor if isinstance(actor, User) else None,
    )
    record_event(
        actor=actor,
        action="accounts.account_moved",
        target=account,
        summary=f"内部转移 of account {account.account_no} to {account.employer.credit_code}",
        data={
            "business_type": BusinessType.INTERNAL_TRANSFER.value,
            "move_id": move.pk,
            "from_employer_id": from_employer.pk if from_employer else None,
            "to_employer_id": account.employer_id,
            "moved_on": moved_on.isoformat(),
        },
    )
    if from_employer is not None:
        body = Text(
            _(
                "On %(day)s your housing fund account moved from %(from)s to %(to)s and was unsealed "
                "(an intra-city transfer); its balance and deposit history are unchanged. If you did not "
                "know of this, call 12329."
            ),
            day=Day(moved_on),
            to=account.employer.name,
            **{"from": from_employer.name},
        )
    else:
        body = Text(
            _(
                "On %(day)s your housing fund account moved to %(to)s and was unsealed (an intra-city "
                "transfer); its balance and deposit history are unchanged. If you did not know of this, "
                "call 12329."
            ),
            day=Day(moved_on),
            to=account.employer.name,
        )
    notify(
        person=account.person,
        kind=MessageKind.ACCOUNT_MOVED,
        title=_("Fund account moved to your new employer"),
        body=body,
        link=_moves_path(),
    )
    return account


def unseal_account(*, account: FundAccount, employer: Employer, unsealed_on: date, actor) -> FundAccount:
    """启封: a sealed account resumes at ``employer`` (the old one or a new unit in the city)."""
    with transaction.atomic(durable=True):
        return unseal_account_in_transaction(
            account=account, employer=employer, unsealed_on=unsealed_on, actor=actor
        )


def close_account_in_transaction(*, account: FundAccount, status: str, closed_on: date, actor) -> FundAccount:
    """:func:`close_account` inside the caller's transaction (after the payout was posted)."""
    _require_transaction("close_account_in_transaction")
    if status not in CLOSED_STATUSES:
        raise InvalidClosingStatus(
            _("An account is closed as 03 merged, 04 transferred out or 05 closed by withdrawal."),
            field="status",
        )
    account = _lock_account(account)
    if account.status not in (AccountStatus.NORMAL, AccountStatus.SEALED):
        raise AccountNotClosable(
            _("Account %(no)s is %(status)s and cannot be closed.")
            % {"no": account.account_no, "status": account.get_status_display()}
        )
    if closed_on < account.opened_on:
        raise InvalidAccountDate(_("An account cannot be closed before it was opened."), field="closed_on")
    # Lock the ledger row too: no deposit may land between this check and the commit.
    LedgerAccount.objects.select_for_update().filter(pk=account.ledger_account_id).values_list("pk").get()
    balance = balance_of(account.ledger_account)
    if balance != 0:
        raise AccountHasBalance(
            _("Account %(no)s still holds %(amount)s yuan: pay it out or transfer it before closing.")
            % {"no": account.account_no, "amount": format_yuan(balance)}
        )
    previous_status = account.status
    account.status = status
    account.closed_on = closed_on
    account.save(update_fields=["status", "closed_on"])
    record_event(
        actor=actor,
        action="accounts.account_closed",
        target=account,
        # Stored data: the status's Chinese name whatever the request's language.
        summary=f"Closed account {account.account_no} ({ACCOUNT_STATUS_RECORD_NAMES[status]})",
        data={"status": status, "previous_status": previous_status, "closed_on": closed_on.isoformat()},
    )
    return account


def close_account(*, account: FundAccount, status: str, closed_on: date, actor) -> FundAccount:
    """销户 with ``status`` 03, 04 or 05; the balance must already be zero (``ACCOUNT_HAS_BALANCE``)."""
    with transaction.atomic(durable=True):
        return close_account_in_transaction(account=account, status=status, closed_on=closed_on, actor=actor)


def reopen_closed_account_in_transaction(*, account: FundAccount, reopened_on: date, actor) -> FundAccount:
    """Undo a closing by withdrawal whose payment the bank returned; a helper in the caller's transaction.

    The returned money is back in the account, so it cannot stay closed: it becomes sealed (封存),
    which holds money without a unit paying in, keeping the sealing date it had (or the closing
    day, for an account closed while normal) so a new application counts from the same day.
    """
    _require_transaction("reopen_closed_account_in_transaction")
    account = _lock_account(account)
    if account.status != AccountStatus.CLOSED_BY_WITHDRAWAL:
        raise AccountNotUnsealable(
            _("Account %(no)s is %(status)s; only an account closed by withdrawal can be re-opened.")
            % {"no": account.account_no, "status": account.get_status_display()}
        )
    closed_on = account.closed_on
    account.status = AccountStatus.SEALED
    account.sealed_on = account.sealed_on or closed_on
    account.closed_on = None
    account.save(update_fields=["status", "sealed_on", "closed_on"])
    record_event(
        actor=actor,
        action="accounts.account_reopened",
        target=account,
        summary=f"Re-opened account {account.account_no} as sealed (封存): its closing payment was returned",
        data={
            "closed_on": closed_on.isoformat(),
            "reopened_on": reopened_on.isoformat(),
            "sealed_on": account.sealed_on.isoformat(),
        },
    )
    return account


# --- logins -------------------------------------------------------------------------------


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise WeakPassword(" ".join(error.messages), field="password") from None


def create_employee_login(*, person: Person, password: str, actor=None) -> User:
    """Give ``person`` a login: they sign in with their ID number (``accounts.backends``).

    The user name is ``person-<pk>``, never the ID number, so the number stays out of the user
    table, sessions, the audit log and django-axes' records.
    """
    user = User(username=f"person-{person.pk}", first_name=person.name[:150])
    # Checked and hashed before the transaction: PBKDF2 takes a quarter of a second, and on
    # SQLite an open transaction holds the database's only write lock.
    _check_password(password, user)
    user.set_password(password)
    with transaction.atomic(durable=True):
        person = Person.objects.select_for_update().get(pk=person.pk)  # one login per person
        if person.user_id is not None:
            raise LoginAlreadyExists(_("This person already has a login."))
        user.first_name = person.name[:150]
        _insert(  # a stale user with the same name
            user, lambda: UsernameTaken(_("The login name %(name)s is taken.") % {"name": user.username})
        )
        user.groups.add(Group.objects.get_or_create(name=roles.EMPLOYEE)[0])
        person.user = user
        person.save(update_fields=["user"])
        record_event(
            actor=actor,
            action="accounts.employee_login_created",
            target=user,
            summary=f"Created the login of person {person.masked_id_number}",
            data={"person_id": person.pk},
        )
    return user


def create_operator(
    *, username: str, password: str, role: str, employer: Employer | None = None, actor=None
) -> User:
    """Create an employer operator or a staff member with one role.

    Employer roles need ``employer``; staff roles must not have one and get admin access
    (``is_staff``), limited by their group's permissions.
    """
    if role not in roles.ALL_ROLES or role == roles.EMPLOYEE:
        raise UnknownRole(
            _("Unknown operator role %(role)s (employees get a login with create_employee_login).")
            % {"role": role},
            field="role",
        )
    if role in roles.EMPLOYER_ROLES and employer is None:
        raise EmployerRequired(_("An employer operator belongs to a unit."), field="employer")
    if role not in roles.EMPLOYER_ROLES and employer is not None:
        raise EmployerRequired(_("Only employer operators belong to a unit."), field="employer")
    username = (username or "").strip()
    if not username:
        raise UsernameTaken(_("Enter a user name."), field="username")
    user = User(username=username, employer=employer, is_staff=role in roles.STAFF_ROLES)
    # Hashed before the transaction, as in create_employee_login: no write lock held meanwhile.
    _check_password(password, user)
    user.set_password(password)
    with transaction.atomic(durable=True):
        if User.objects.filter(username=username).exists():
            raise UsernameTaken(_("The user name %(name)s is taken.") % {"name": username}, field="username")
        _insert(  # a concurrent creation of the same name
            user,
            lambda: UsernameTaken(
                _("The user name %(name)s is taken.") % {"name": username}, field="username"
            ),
        )
        user.groups.add(Group.objects.get_or_create(name=role)[0])
        record_event(
            actor=actor,
            action="accounts.operator_created",
            target=user,
            summary=f"Created {role} login {username}",
            data={"role": role, "employer_id": employer.pk if employer else None},
        )
    return user


# --- the unit's own business online: registration, rates, taking on and letting go -------------
#
# These services serve the employer's pages (单位网厅, "单位足不出户办理缴存业务"). The two that ask a
# government source (公安 for a person, 市场监管 for a unit) ask it BEFORE their transaction and
# write nothing when it does not answer: the clerk is told to try again, and no half-registered
# unit or person is left behind.


class SourceUnavailable(AccountsError):
    """A government source did not answer in time; nothing was written, trying again is safe."""

    code = "SOURCE_UNAVAILABLE"
    http_status = 503


class UnitNotRegistered(AccountsError):
    code = "UNIT_NOT_REGISTERED"


class UnitNotActive(AccountsError):
    code = "UNIT_NOT_ACTIVE"


class UnitNameMismatch(AccountsError):
    code = "UNIT_NAME_MISMATCH"


class InvalidOperator(AccountsError):
    code = "INVALID_OPERATOR"


class IdentityNotFound(AccountsError):
    code = "IDENTITY_NOT_FOUND"


class IdentityNameMismatch(AccountsError):
    code = "IDENTITY_NAME_MISMATCH"


class PersonDeceased(AccountsError):
    code = "PERSON_DECEASED"


class AlreadyAtThisUnit(AccountsError):
    code = "ALREADY_AT_THIS_UNIT"
    http_status = 409


class AccountActiveElsewhere(AccountsError):
    code = "ACCOUNT_ACTIVE_ELSEWHERE"
    http_status = 409


class AccountNotTransferable(AccountsError):
    code = "ACCOUNT_NOT_TRANSFERABLE"
    http_status = 409


class AccountNotAtUnit(AccountsError):
    code = "ACCOUNT_NOT_AT_UNIT"
    http_status = 404


class NotOperatorOfUnit(AccountsError):
    code = "NOT_OPERATOR_OF_UNIT"
    http_status = 403


class BaseNotChangeable(AccountsError):
    code = "BASE_NOT_CHANGEABLE"
    http_status = 409


ONLINE_REGISTRATION = "web:unit-registration"


@dataclass(frozen=True)
class NewOperator:
    """One of the two logins a unit registers with: the 经办人 (preparer) or the 审核人 (approver)."""

    name: str
    mobile: str
    username: str
    # Kept out of repr: a dataclass in a traceback or a log line must not carry a password.
    password: str = field(repr=False)


@dataclass(frozen=True)
class TakenOn:
    """What :func:`take_on_employee` did: opened a new account, or moved a sealed one in (启封)."""

    account: FundAccount
    moved_in: bool
    person_registered: bool


def _source_timeout() -> float:
    # The same budget as a 秒批 decision's source: a clerk is waiting at the page.
    return float(getattr(settings, "DECISION_SOURCE_TIMEOUT_S", 2.0))


def _comparable_unit_name(name: str) -> str:
    # NFKC folds full-width brackets and letters (（厦门）有限公司 typed as (厦门)有限公司), and spaces
    # are never part of a registered name: neither difference is a different unit.
    return "".join(unicodedata.normalize("NFKC", name or "").split())


def _require_operator_of(actor, employer: Employer) -> None:
    """An employer operator acts for their own unit only; staff and processes are not limited here."""
    if (
        actor is not None
        and roles.roles_of(actor) & roles.EMPLOYER_ROLES
        and actor.employer_id != employer.pk
    ):
        raise NotOperatorOfUnit(_("You can only act for your own unit."))


def _operator_user(operator: NewOperator, prefix: str) -> User:
    """A checked, password-hashed (unsaved) login for ``operator``; errors name the ``prefix_*`` field."""
    clean_name = _single_spaced(operator.name)
    if not clean_name or len(clean_name) > 150:
        raise InvalidName(_("Enter the operator's full name."), field=f"{prefix}_name")
    try:
        mobile = normalise_mobile(operator.mobile)
    except DomainError as error:
        raise InvalidOperator(error.message, field=f"{prefix}_mobile") from None
    username = (operator.username or "").strip()
    if not re.fullmatch(r"[\w.@+-]{3,150}", username, re.ASCII):
        raise InvalidOperator(
            _("A user name has 3 to 150 letters, digits or the characters . @ + - _ (no spaces)."),
            field=f"{prefix}_username",
        )
    user = User(username=username, first_name=clean_name, mobile=mobile)
    try:
        _check_password(operator.password, user)
    except WeakPassword as error:
        raise WeakPassword(error.message, field=f"{prefix}_password") from None
    # Hashed here, before any transaction: PBKDF2 takes a quarter of a second per password.
    user.set_password(operator.password)
    return user


def _username_taken(username: str, field_name: str) -> UsernameTaken:
    return UsernameTaken(
        _("The user name %(name)s is taken: choose another.") % {"name": username}, field=field_name
    )


def _employer_taken(code: str) -> EmployerAlreadyRegistered:
    return EmployerAlreadyRegistered(
        _(
            "A unit with credit code %(code)s is already registered. If you have just registered it, "
            "log in with the user names you chose."
        )
        % {"code": code},
        field="credit_code",
    )


def _unit_registration(code: str, *, requested_by: str):
    from integrations.gov import ports
    from integrations.gov.registry import gov_source

    source = gov_source(ports.MARKET_REGULATION, purpose="unit-registration", requested_by=requested_by)
    try:
        return source.unit_registration(code, timeout=_source_timeout())
    except ports.SourceUnavailable:
        raise SourceUnavailable(
            _(
                "The market regulation register (市场监管) did not answer in time, so nothing was "
                "registered. Please try again in a few minutes."
            )
        ) from None


def register_employer_online(
    *,
    credit_code: str,
    name: str,
    bank_account_no: str,
    bank_name: str,
    employer_rate_bp: int = RATE_MAX_BP,
    employee_rate_bp: int = RATE_MAX_BP,
    preparer: NewOperator,
    approver: NewOperator,
    requested_by: str = ONLINE_REGISTRATION,
) -> Employer:
    """单位开户 online: the unit registers itself with its two operators, no counter visit.

    The credit code must be known to 市场监管 as 存续 (active) under the name given; the unit is
    registered with 市场监管's spelling of its name. Unit and both logins commit together or not
    at all. A legacy code failing its check character registers the unit as 02 开户 until staff
    confirm the code (DOMAIN.md §3). ``requested_by`` names the channel in the query log.
    """
    try:
        fields = _clean_employer_fields(
            credit_code=credit_code,
            name=name,
            bank_account_no=bank_account_no,
            bank_name=bank_name,
            employer_rate_bp=employer_rate_bp,
            employee_rate_bp=employee_rate_bp,
            bank_name_required=True,
        )
    except InvalidCreditCode as error:
        # core.identity does not know which field it checked; the registration form does.
        error.field = error.field or "credit_code"
        raise
    preparer_user = _operator_user(preparer, "preparer")
    approver_user = _operator_user(approver, "approver")
    # Maker-checker needs two people: one login cannot prepare and approve the same list.
    if approver_user.username.casefold() == preparer_user.username.casefold():
        raise InvalidOperator(
            _("The approver needs a user name of their own, different from the preparer's."),
            field="approver_username",
        )
    if approver_user.mobile == preparer_user.mobile:
        raise InvalidOperator(
            _("The preparer and the approver are two different people, with two different mobiles."),
            field="approver_mobile",
        )
    # Cheap refusals first, so a duplicate does not cost a government query.
    if Employer.objects.filter(credit_code=fields.credit_code).exists():
        raise _employer_taken(fields.credit_code)
    for user, prefix in ((preparer_user, "preparer"), (approver_user, "approver")):
        if User.objects.filter(username=user.username).exists():
            raise _username_taken(user.username, f"{prefix}_username")

    from integrations.gov.ports import UNIT_ACTIVE

    registration = _unit_registration(fields.credit_code, requested_by=requested_by)
    if registration is None:
        raise UnitNotRegistered(
            _("The market regulation register has no unit with credit code %(code)s: check the code.")
            % {"code": fields.credit_code},
            field="credit_code",
        )
    if registration.status != UNIT_ACTIVE:
        raise UnitNotActive(
            _(
                "The market regulation register records unit %(code)s as %(status)s, not active (存续): "
                "it cannot open a unit account."
            )
            % {"code": fields.credit_code, "status": registration.status},
            field="credit_code",
        )
    if _comparable_unit_name(registration.name) != _comparable_unit_name(fields.name):
        raise UnitNameMismatch(
            _("The name does not match the market regulation register, which has this code as “%(name)s”.")
            % {"name": registration.name},
            field="name",
        )

    with transaction.atomic(durable=True):
        employer, registered = _register_employer_in_transaction(
            fields,
            # The register's spelling: the name the unit is known by to every other source.
            name=registration.name,
            confirmed_by=None,
            taken=_employer_taken,
            actor=None,
            actor_label=requested_by,
            summary_suffix=" online",
            extra_data={"market_regulation_registered_on": registration.registered_on.isoformat()},
        )
        events = [registered]
        for user, prefix, role in (
            (preparer_user, "preparer", roles.EMPLOYER_PREPARER),
            (approver_user, "approver", roles.EMPLOYER_APPROVER),
        ):
            user.employer = employer
            # A concurrent sign-up of the same user name loses here; the unit goes with it.
            _insert(
                user, lambda user=user, prefix=prefix: _username_taken(user.username, f"{prefix}_username")
            )
            user.groups.add(Group.objects.get_or_create(name=role)[0])
            events.append(
                PendingEvent(
                    actor=None,
                    actor_label=requested_by,
                    action="accounts.operator_created",
                    target=user,
                    summary=f"Created {role} login {user.username}",
                    data={"role": role, "employer_id": employer.pk},
                )
            )
        record_events(events)
    return employer


def change_employer_rates(
    *, employer: Employer, employer_rate_bp: int, employee_rate_bp: int, actor
) -> Employer:
    """The unit's contribution rates, each 5%–12%; they apply to the next monthly list.

    Changing nothing writes nothing (no audit event).
    """
    _require_operator_of(actor, employer)
    _check_rate(employer_rate_bp, "employer_rate_bp")
    _check_rate(employee_rate_bp, "employee_rate_bp")
    with transaction.atomic(durable=True):
        employer = Employer.objects.select_for_update().get(pk=employer.pk)  # one rate change at a time
        if employer.status in (EmployerStatus.CLOSED, EmployerStatus.SEALED):
            raise EmployerNotActive(
                _("Unit %(code)s is closed or sealed: its rates can no longer change.")
                % {"code": employer.credit_code}
            )
        before = (employer.employer_rate_bp, employer.employee_rate_bp)
        if before == (employer_rate_bp, employee_rate_bp):
            return employer
        employer.employer_rate_bp = employer_rate_bp
        employer.employee_rate_bp = employee_rate_bp
        employer.save(update_fields=["employer_rate_bp", "employee_rate_bp"])
        record_event(
            actor=actor,
            action="accounts.employer_rates_changed",
            target=employer,
            summary=(
                f"Rates of unit {employer.credit_code}: employer {before[0]} → {employer_rate_bp} bp, "
                f"employee {before[1]} → {employee_rate_bp} bp"
            ),
            data={
                "employer_rate_bp": {"from": before[0], "to": employer_rate_bp},
                "employee_rate_bp": {"from": before[1], "to": employee_rate_bp},
            },
        )
    return employer


_BASE_BOUNDS = ("deposit.base.floor", "deposit.base.cap")


def _check_base_bounds(base: int, *, on: date) -> dict[str, int]:
    """Refuse a base outside the floor and cap in force on ``on``; the versions used, by key → pk."""
    _check_base(base)
    bounds = policy_snapshot(_BASE_BOUNDS, on=on)
    floor, cap = bounds["deposit.base.floor"].value, bounds["deposit.base.cap"].value
    if base < floor:
        raise InvalidBase(
            _("The deposit base may not be below %(floor)s yuan (the local minimum wage).")
            % {"floor": format_yuan(floor)},
            field="base",
        )
    if base > cap:
        raise InvalidBase(
            _("The deposit base may not exceed %(cap)s yuan (three times the city's average wage).")
            % {"cap": format_yuan(cap)},
            field="base",
        )
    return {key: version.pk for key, version in bounds.items()}


def _not_in_future(day: date, field_name: str) -> None:
    if day > timezone.localdate():
        raise InvalidAccountDate(_("The date may not be in the future."), field=field_name)


def _set_base_in_transaction(
    account: FundAccount, base: int, *, changed_on: date, parameters: dict[str, int], actor
) -> FundAccount:
    """基数调整 on a locked account: business type 10 is a record only, no money moves."""
    previous = account.base
    if previous == base:
        return account
    account.base = base
    account.save(update_fields=["base"])
    record_event(
        actor=actor,
        action="accounts.base_changed",
        target=account,
        summary=f"基数调整 of account {account.account_no}: {format_yuan(previous)} → {format_yuan(base)} 元",
        data={
            "business_type": BusinessType.BASE_ADJUSTMENT.value,
            "base": {"from": previous, "to": base},
            "changed_on": changed_on.isoformat(),
            "employer_id": account.employer_id,
            "parameters": parameters,
        },
    )
    return account


def change_base(
    *,
    account: FundAccount,
    base: int,
    actor,
    employer: Employer | None = None,
    changed_on: date | None = None,
) -> FundAccount:
    """基数调整: the deposit base (fen) of a normal account, within the floor and cap in force.

    With ``employer`` (an operator of the unit acting) the account must be at that unit. An
    unchanged base writes nothing.
    """
    changed_on = changed_on or timezone.localdate()
    if employer is not None:
        _require_operator_of(actor, employer)
    parameters = _check_base_bounds(base, on=changed_on)
    with transaction.atomic(durable=True):
        account = _lock_account(account)
        if employer is not None and account.employer_id != employer.pk:
            raise AccountNotAtUnit(_("This account is not at your unit."))
        if account.status != AccountStatus.NORMAL:
            raise BaseNotChangeable(
                _("Account %(no)s is %(status)s; only a normal account has a base to change.")
                % {"no": account.account_no, "status": account.get_status_display()}
            )
        return _set_base_in_transaction(
            account, base, changed_on=changed_on, parameters=parameters, actor=actor
        )


def seal_employee_account(*, employer: Employer, account: FundAccount, sealed_on: date, actor) -> FundAccount:
    """封存 by the unit: the employee left on ``sealed_on`` (not in the future); the account must be here."""
    _require_operator_of(actor, employer)
    _not_in_future(sealed_on, "sealed_on")
    with transaction.atomic(durable=True):
        account = _lock_account(account)
        # Checked under the lock: the account may have moved to another unit since the page was shown.
        if account.employer_id != employer.pk:
            raise AccountNotAtUnit(_("This account is not at your unit."))
        return seal_account_in_transaction(account=account, sealed_on=sealed_on, actor=actor)


def _verify_identity(facts: _PersonFacts, *, requested_by: str) -> None:
    from integrations.gov import ports
    from integrations.gov.registry import gov_source

    source = gov_source(ports.PUBLIC_SECURITY, purpose="employee-take-on", requested_by=requested_by)
    try:
        check = source.verify_identity(facts.number, facts.name, timeout=_source_timeout())
    except ports.SourceUnavailable:
        raise SourceUnavailable(
            _(
                "The public security register (公安) did not answer in time, so nothing was changed. "
                "Please try again in a few minutes."
            )
        ) from None
    if check is None:
        raise IdentityNotFound(
            _("The public security register has no person with this ID number: check the number."),
            field="id_number",
        )
    if not check.name_matches:
        raise IdentityNameMismatch(
            _("The name does not match the ID number in the public security register."), field="name"
        )
    if not check.alive:
        raise PersonDeceased(_("The public security register records this person as deceased."))


def take_on_employee(
    *,
    employer: Employer,
    id_number: str,
    name: str,
    mobile: str,
    hukou_region: str,
    base: int,
    start_on: date,
    actor,
) -> TakenOn:
    """The unit takes on an employee (DOMAIN.md §4, §8): open their account, or move it in.

    The identity is checked with 公安 first. Then, under the person's row lock: a person new to
    the centre is registered and gets an account; a known person without an account gets one; a
    sealed (02) account anywhere in the city moves to this unit (启封, history kept) with the new
    base; a normal account here or elsewhere, a frozen or a closed one is refused. ``base`` is
    in fen, within the floor and cap in force on ``start_on``.
    """
    _require_operator_of(actor, employer)
    try:
        facts = _person_facts(id_number=id_number, name=name, mobile=mobile, hukou_region=hukou_region)
    except (InvalidIdNumber, InvalidMobile) as error:
        # core.identity does not know which field it checked; the caller's form does.
        error.field = error.field or ("id_number" if isinstance(error, InvalidIdNumber) else "mobile")
        raise
    _not_in_future(start_on, "start_on")
    parameters = _check_base_bounds(base, on=start_on)
    _check_employer_can_take_on(employer)
    _verify_identity(facts, requested_by=getattr(actor, "username", None) or "system")
    with transaction.atomic(durable=True):
        # The person row is the lock every take-on of this person queues on, new or known.
        person = Person.objects.select_for_update().filter(id_number_index=facts.index).first()
        registered = False
        if person is None:
            candidate = _person_from(facts)
            try:
                with transaction.atomic():
                    candidate.save(force_insert=True)
            except IntegrityError:
                # A concurrent take-on registered the person first: go on with its row, locked,
                # so this clerk hears what that take-on did rather than "already registered".
                person = Person.objects.select_for_update().get(id_number_index=facts.index)
            else:
                person, registered = candidate, True
                record_event(
                    actor=actor,
                    action="accounts.person_registered",
                    target=person,
                    summary=f"Registered person {person.masked_id_number}",
                    data={"hukou_region": person.hukou_region, "employer_id": employer.pk},
                )
        account = FundAccount.objects.select_for_update().filter(person=person).first()
        if account is None:
            account = open_account_in_transaction(
                person=person, employer=employer, base=base, opened_on=start_on, actor=actor
            )
            return TakenOn(account=account, moved_in=False, person_registered=registered)
        if account.status == AccountStatus.NORMAL:
            if account.employer_id == employer.pk:
                raise AlreadyAtThisUnit(
                    _("%(person)s is already at your unit (account %(no)s).")
                    % {"person": person.masked_id_number, "no": account.account_no}
                )
            # The other unit is not named: who employs a person is not this unit's business.
            raise AccountActiveElsewhere(
                _(
                    "%(person)s still has a normal account at another unit. That unit must seal it "
                    "(封存) first; then add the person again and the account moves here."
                )
                % {"person": person.masked_id_number}
            )
        if account.status != AccountStatus.SEALED:
            raise AccountNotTransferable(
                _(
                    "The account of %(person)s is %(status)s and cannot move to a unit online: "
                    "contact the centre."
                )
                % {"person": person.masked_id_number, "status": account.get_status_display()}
            )
        if start_on < account.sealed_on:
            raise InvalidAccountDate(
                _("The start date is before the account was sealed at the last unit (%(date)s).")
                % {"date": account.sealed_on.isoformat()},
                field="start_on",
            )
        account = move_account_in_transaction(
            account=account, employer=employer, moved_on=start_on, actor=actor
        )
        account = _set_base_in_transaction(
            account, base, changed_on=start_on, parameters=parameters, actor=actor
        )
        return TakenOn(account=account, moved_in=True, person_registered=False)


# The employee's withdrawal lock ------------------------------------------------------------------


class WithdrawalsNotLocked(AccountsError):
    code = "WITHDRAWALS_NOT_LOCKED"
    http_status = 409


def _cooling_off() -> timedelta:
    return timedelta(hours=settings.WITHDRAWAL_UNLOCK_COOLING_OFF_HOURS)


def _lock_path() -> str:
    # Where the person manages the lock; a message links there (a path, not a reverse(): accounts
    # sits below the web layer).
    return "/hall/security/"


def _lock_person_for_withdrawal_lock(person: Person) -> None:
    # The person's row, not the lock's: before the first lock there is no lock row to hold, and
    # two first locks (two tabs, a double tap) would both insert. Lock and unlock take turns here.
    Person.objects.select_for_update().filter(pk=person.pk).values_list("pk", flat=True).first()


def lock_withdrawals(*, person: Person, actor) -> WithdrawalLock:
    """Lock withdrawals from ``person``'s account at once; cancels an unlock that is cooling off.

    Already locked with no unlock pending: nothing changes (no event, no message).
    """
    with transaction.atomic(durable=True):
        _lock_person_for_withdrawal_lock(person)
        now = timezone.now()
        lock = WithdrawalLock.objects.filter(person=person).first()
        if lock is not None and lock.locked_on(now) and lock.unlocks_at is None:
            return lock
        cancelled_unlock = lock is not None and lock.locked_on(now)
        if lock is None:
            lock = WithdrawalLock(person=person, locked_at=now)
        elif not cancelled_unlock:
            lock.locked_at = now  # a new lock after an unlock that took effect
        lock.unlock_requested_at = lock.unlocks_at = None
        lock.save()
        record_event(
            actor=actor,
            action="accounts.withdrawals_locked",
            target=lock,
            summary=f"Withdrawals locked for {person}"
            + (" (pending unlock cancelled)" if cancelled_unlock else ""),
            data={"person_id": person.pk, "cancelled_unlock": cancelled_unlock},
        )
        notify(person=person, **withdrawal_lock_changed(locked=True, link=_lock_path()).as_kwargs())
        return lock


def request_unlock(*, person: Person, actor) -> WithdrawalLock:
    """Ask to unlock withdrawals: they stay locked for the cooling-off period, then unlock.

    Raises :class:`WithdrawalsNotLocked` when they are not locked. An unlock already pending
    keeps its time (asking again does not bring it forward, nor push it back).
    """
    with transaction.atomic(durable=True):
        _lock_person_for_withdrawal_lock(person)
        now = timezone.now()
        lock = WithdrawalLock.objects.filter(person=person).first()
        if lock is None or not lock.locked_on(now):
            raise WithdrawalsNotLocked(_("Withdrawals from your account are not locked."))
        if lock.unlocks_at is not None:
            return lock
        lock.unlock_requested_at = now
        lock.unlocks_at = now + _cooling_off()
        lock.save(update_fields=["unlock_requested_at", "unlocks_at"])
        record_event(
            actor=actor,
            action="accounts.withdrawal_unlock_requested",
            target=lock,
            summary=f"Unlock of withdrawals requested for {person}, effective {lock.unlocks_at.isoformat()}",
            data={"person_id": person.pk, "unlocks_at": lock.unlocks_at},
        )
        notify(
            person=person,
            **withdrawal_lock_changed(
                locked=False, unlocks_at=lock.unlocks_at, link=_lock_path()
            ).as_kwargs(),
        )
        return lock


class UnknownLanguage(AccountsError):
    code = "UNKNOWN_LANGUAGE"


def set_language(*, person: Person, language: str, actor) -> Person:
    """Record the language ``person`` reads the portal's messages and texts in (zh-hans or en).

    Choosing the language already recorded changes nothing and writes no audit row (the hall
    records it on every switch of the page language).
    """
    if language not in Language.values:
        raise UnknownLanguage(
            _("Choose one of the portal's languages: %(languages)s.")
            % {"languages": ", ".join(Language.values)},
            field="language",
        )
    with transaction.atomic(durable=True):
        # Conditional: of two switches at once, each is recorded once; an unchanged choice writes nothing.
        changed = Person.objects.filter(pk=person.pk).exclude(language=language).update(language=language)
        person.language = language
        if changed:
            record_event(
                actor=actor,
                action="accounts.language_set",
                target=person,
                summary=f"Message language of person #{person.pk} set to {language}",
                data={"person_id": person.pk, "language": language},
            )
    return person
