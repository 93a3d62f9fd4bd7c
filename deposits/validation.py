"""Checking a monthly deposit list's rows against the people, accounts and policy on record.

Every row is checked and every problem reported at once, so an employer fixes the whole list in
one pass. People are looked up in bulk by blind index (one query per chunk of ID numbers, the
accounts joined in), never one query per row: a large unit's list has 30,000–50,000 rows.
Amounts follow DOMAIN.md §4: each part is base × the unit's rate, rounded separately with the
``deposit.rounding`` policy in force for the period, as are the base floor and cap.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.utils.translation import gettext_lazy as _

from accounts.models import AccountStatus, Employer, FundAccount, Person
from accounts.selectors import monthly_parts
from core.crypto import blind_index
from core.identity import InvalidIdNumber, parse_resident_id
from core.money import InvalidAmount, format_yuan, parse_yuan
from core.policy import policy_snapshot
from deposits.models import HOLDING_STATUSES, DepositLine, ListKind
from deposits.reading import ACCOUNT_NO, BASE, ID_NUMBER, INVALID_ID_NUMBER, NAME, PERIOD, RawRow, RowError

NAME_MISMATCH = "NAME_MISMATCH"
UNKNOWN_PERSON = "UNKNOWN_PERSON"
NOT_EMPLOYED_HERE = "NOT_EMPLOYED_HERE"
ACCOUNT_NO_MISMATCH = "ACCOUNT_NO_MISMATCH"
BASE_BELOW_FLOOR = "BASE_BELOW_FLOOR"
BASE_ABOVE_CAP = "BASE_ABOVE_CAP"
INVALID_AMOUNT = "INVALID_AMOUNT"
DUPLICATE_ROW = "DUPLICATE_ROW"
WRONG_PERIOD = "WRONG_PERIOD"
MISSING_VALUE = "MISSING_VALUE"
ALREADY_PAID = "ALREADY_PAID"

MONTHLY = ListKind.MONTHLY
BACK_PAYMENT = ListKind.BACK_PAYMENT
# How often the row loop reports progress: often enough for a live bar, rarely enough to cost nothing.
PROGRESS_EVERY = 2000

_FIELD_ORDER = {ID_NUMBER: 0, NAME: 1, BASE: 2, ACCOUNT_NO: 3}
# Ways of typing the middle dot of minority and foreign names (· • ・ . ．) are one name.
_NAME_DOTS = re.compile(r"[\u00b7\u2022\u2027\u30fb\uff65.\uff0e]")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class ValidLine:
    row_no: int
    person_id: int
    account_id: int
    base: int
    employer_part: int
    employee_part: int


@dataclass(frozen=True)
class Totals:
    rows: int
    valid_rows: int
    base: int
    employer_part: int
    employee_part: int

    @property
    def amount(self) -> int:
        return self.employer_part + self.employee_part


@dataclass(frozen=True)
class Validation:
    lines: list[ValidLine]
    errors: list[RowError]
    totals: Totals

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class _Record:
    person_id: int
    name: str
    account_id: int | None
    account_no: str | None
    account_status: str | None
    employer_id: int | None


def expected_period(employer: Employer) -> date | None:
    """The month the unit's next 汇缴 list is for: the month after ``paid_up_to`` (None: its first list)."""
    if employer.paid_up_to is None:
        return None
    return _next_month(employer.paid_up_to)


def _next_month(day: date) -> date:
    year, month = divmod(day.year * 12 + day.month, 12)
    return date(year, month + 1, 1)


def _normalised_name(name: str) -> str:
    return _NAME_DOTS.sub("·", _WHITESPACE.sub("", unicodedata.normalize("NFKC", name)))


def _lookup_chunk_size() -> int:
    # SQLite refuses more than max_query_params parameters; PostgreSQL has no such limit but a
    # few thousand per IN list keeps each statement and its plan small.
    return min(connection.features.max_query_params or 5000, 5000)


def _records_by_index(indexes: list[str]) -> dict[str, _Record]:
    if connection.vendor == "postgresql":
        return _records_by_index_array(indexes)
    records = {}
    size = _lookup_chunk_size()
    for start in range(0, len(indexes), size):
        # values() rather than model instances: no decryption of 50,000 ID numbers we already have.
        rows = Person.objects.filter(id_number_index__in=indexes[start : start + size]).values_list(
            "id_number_index",
            "pk",
            "name",
            "fund_account__pk",
            "fund_account__account_no",
            "fund_account__status",
            "fund_account__employer_id",
        )
        for index, *fields in rows:
            records[index] = _Record(*fields)
    return records


def _records_by_index_array(indexes: list[str]) -> dict[str, _Record]:
    """One statement with the indexes as one array parameter: no 50,000 placeholders to build
    and parse, which cost more than the lookup itself."""
    person = connection.ops.quote_name(Person._meta.db_table)
    account = connection.ops.quote_name(FundAccount._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT p.id_number_index, p.id, p.name, a.id, a.account_no, a.status, a.employer_id "
            f"FROM {person} p LEFT JOIN {account} a ON a.person_id = p.id "
            f"WHERE p.id_number_index = ANY(%s)",
            [indexes],
        )
        return {index: _Record(*fields) for index, *fields in cursor.fetchall()}


def _back_payment_period_errors(employer: Employer, period: date) -> list[RowError]:
    if employer.paid_up_to is not None and period <= employer.paid_up_to:
        return []
    if employer.paid_up_to is None:
        message = _("The unit has not paid a monthly list yet: there is no earlier month to pay back.")
    else:
        message = _(
            "A back-payment is for a month the unit has already paid up to (%(paid_up_to)s or "
            "earlier); %(period)s is paid with the monthly list."
        ) % {"period": f"{period:%Y-%m}", "paid_up_to": f"{employer.paid_up_to:%Y-%m}"}
    return [RowError(row=0, field=PERIOD, code=WRONG_PERIOD, message=str(message))]


def _paid_accounts(account_ids: list[int], period: date) -> set[int]:
    """The accounts already paid for ``period`` by a list that holds it (submitted or later)."""
    paid: set[int] = set()
    size = _lookup_chunk_size()
    for start in range(0, len(account_ids), size):
        paid.update(
            DepositLine.objects.filter(
                account_id__in=account_ids[start : start + size],
                deposit_list__period=period,
                deposit_list__status__in=HOLDING_STATUSES,
            ).values_list("account_id", flat=True)
        )
    return paid


def _previous_month(period: date) -> date:
    year, month = divmod(period.year * 12 + period.month - 2, 12)
    return date(year, month + 1, 1)


def _period_errors(employer: Employer, period: date, on: date) -> list[RowError]:
    expected = expected_period(employer)
    if expected is not None and period != expected:
        message = _(
            "This list is for %(period)s, but the unit is paid up to %(paid_up_to)s: "
            "the next monthly list is for %(expected)s; earlier months are paid as back-payments."
        ) % {
            "period": f"{period:%Y-%m}",
            "paid_up_to": f"{employer.paid_up_to:%Y-%m}",
            "expected": f"{expected:%Y-%m}",
        }
    elif expected is None and period > on.replace(day=1):
        message = _("The unit's first monthly list cannot be for a future month (%(period)s).") % {
            "period": f"{period:%Y-%m}"
        }
    elif period > _next_month(on):
        # Wages are paid for the current month, at most prepared for the next: paying further
        # ahead would lock money in before anyone is employed for it.
        message = _("The list for %(period)s can be paid from %(opens)s on.") % {
            "period": f"{period:%Y-%m}",
            "opens": f"{_previous_month(period):%Y-%m}",
        }
    else:
        return []
    return [RowError(row=0, field=PERIOD, code=WRONG_PERIOD, message=str(message))]


def validate_list(
    rows: list[RawRow],
    *,
    employer: Employer,
    period: date,
    on: date,
    kind: str = MONTHLY,
    progress: Callable[[int], None] | None = None,
) -> Validation:
    """Check every row of a list for ``period`` (the first of the month); see the module docstring.

    ``on`` is the day of the check: ID numbers may not carry a later birth date, and a unit's
    first list may not be for a later month. Rows already refused while reading
    (``RawRow.unreadable``) get no further message for those fields and make no line.
    ``kind`` is MONTHLY (the month after the paid-up month) or BACK_PAYMENT (a month already
    paid up to, for people not yet paid that month). ``progress`` is told the number of rows
    checked from time to time.
    """
    if kind not in (MONTHLY, BACK_PAYMENT):
        raise ValueError(f"kind must be {MONTHLY!r} or {BACK_PAYMENT!r}, not {kind!r}")
    if period.day != 1:
        raise ValueError(f"period must be the first day of a month, not {period}")
    policy = policy_snapshot(["deposit.base.floor", "deposit.base.cap", "deposit.rounding"], on=period)
    floor = policy["deposit.base.floor"].value
    cap = policy["deposit.base.cap"].value
    rounding = policy["deposit.rounding"].value

    if kind == MONTHLY:
        errors = _period_errors(employer, period, on)
    else:
        errors = _back_payment_period_errors(employer, period)

    def report(row: RawRow, field_name: str, code: str, message) -> None:
        errors.append(RowError(row=row.row_no, field=field_name, code=code, message=str(message)))

    numbers: dict[int, str] = {}
    first_row_of: dict[str, int] = {}
    for row in rows:
        if ID_NUMBER in row.unreadable:
            continue
        if not row.id_number:
            report(row, ID_NUMBER, INVALID_ID_NUMBER, _("Enter the ID number."))
            continue
        try:
            number = parse_resident_id(row.id_number, today=on).number
        except InvalidIdNumber as error:
            report(row, ID_NUMBER, INVALID_ID_NUMBER, error.message)
            continue
        if number in first_row_of:
            report(
                row,
                ID_NUMBER,
                DUPLICATE_ROW,
                _("This person is already listed in row %(first_row)s.")
                % {"first_row": first_row_of[number]},
            )
            continue
        first_row_of[number] = row.row_no
        numbers[row.row_no] = number

    index_of = {number: blind_index(number) for number in numbers.values()}
    records = _records_by_index(list(index_of.values()))
    paid = (
        _paid_accounts([r.account_id for r in records.values() if r.account_id is not None], period)
        if kind == BACK_PAYMENT
        else set()
    )

    lines = []
    for checked, row in enumerate(rows, start=1):
        if progress is not None and checked % PROGRESS_EVERY == 0:
            progress(checked)
        row_errors_before = len(errors)
        base = None
        if BASE not in row.unreadable:
            try:
                base = parse_yuan(row.base)
            except InvalidAmount as error:
                report(row, BASE, INVALID_AMOUNT, error.message)
            else:
                if base < floor:
                    report(
                        row,
                        BASE,
                        BASE_BELOW_FLOOR,
                        _("The base %(base)s is below the lowest base of %(floor)s yuan.")
                        % {"base": format_yuan(base), "floor": format_yuan(floor)},
                    )
                elif base > cap:
                    report(
                        row,
                        BASE,
                        BASE_ABOVE_CAP,
                        _("The base %(base)s is above the highest base of %(cap)s yuan.")
                        % {"base": format_yuan(base), "cap": format_yuan(cap)},
                    )

        if NAME not in row.unreadable and not row.name:
            report(row, NAME, MISSING_VALUE, _("Enter the name."))

        number = numbers.get(row.row_no)
        record = records.get(index_of[number]) if number else None
        if number and record is None:
            report(
                row,
                ID_NUMBER,
                UNKNOWN_PERSON,
                _("No one with this ID number has a fund account; open an account for the employee first."),
            )
        if record is not None:
            if (
                row.name
                and NAME not in row.unreadable
                and _normalised_name(row.name) != _normalised_name(record.name)
            ):
                report(
                    row,
                    NAME,
                    NAME_MISMATCH,
                    _("The name %(name)s does not match the name on record for this ID number.")
                    % {"name": row.name},
                )
            if (
                record.account_id is None
                or record.employer_id != employer.pk
                or record.account_status != AccountStatus.NORMAL
            ):
                report(
                    row,
                    ID_NUMBER,
                    NOT_EMPLOYED_HERE,
                    _(
                        "This person has no active fund account at this unit; "
                        "transfer the account in or open one first."
                    ),
                )
            elif record.account_id in paid:
                report(
                    row,
                    ID_NUMBER,
                    ALREADY_PAID,
                    _("This person is already paid for %(period)s.") % {"period": f"{period:%Y-%m}"},
                )
            elif row.account_no and ACCOUNT_NO not in row.unreadable and row.account_no != record.account_no:
                report(
                    row,
                    ACCOUNT_NO,
                    ACCOUNT_NO_MISMATCH,
                    _("The account number %(account_no)s is not this person's account.")
                    % {"account_no": row.account_no},
                )

        if (
            len(errors) == row_errors_before
            and not row.unreadable
            and record is not None
            and base is not None
        ):
            employer_part, employee_part = monthly_parts(
                base=base,
                employer_rate_bp=employer.employer_rate_bp,
                employee_rate_bp=employer.employee_rate_bp,
                rounding=rounding,
            )
            lines.append(
                ValidLine(
                    row_no=row.row_no,
                    person_id=record.person_id,
                    account_id=record.account_id,
                    base=base,
                    employer_part=employer_part,
                    employee_part=employee_part,
                )
            )

    if progress is not None:
        progress(len(rows))
    errors.sort(key=lambda error: (error.row, _FIELD_ORDER.get(error.field, -1)))
    totals = Totals(
        rows=len(rows),
        valid_rows=len(lines),
        base=sum(line.base for line in lines),
        employer_part=sum(line.employer_part for line in lines),
        employee_part=sum(line.employee_part for line in lines),
    )
    return Validation(lines=lines, errors=errors, totals=totals)
