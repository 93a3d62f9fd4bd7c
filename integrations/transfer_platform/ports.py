"""The national transfer platform (异地转移接续平台, DOMAIN.md §8) as a port.

Two directions meet here. As the **receiving** centre we send a contact letter (联系函) with
``send_contact_letter`` and follow it with ``letter_status`` until the sending centre has
answered and the money has arrived (``COMPLETED`` with a ``TransferReply``), or the letter ends
otherwise (rejected with a reason code, cancelled, failed). As the **sending** centre we fetch
the letters other centres addressed to us with ``poll_incoming_letters``, answer each with
``reply_to_letter`` (the money and the deposit history, or a ``Refusal``), and, once we have
paid, ask ``confirm_transfer_out`` until the platform reports the transfer completed or failed.

References are idempotency keys: sending a letter again under the same ``letter_ref`` returns
the first receipt; replying again to a letter with the same answer is accepted and changes
nothing; a letter delivered twice carries the same ``platform_ref``. Every method takes
``timeout`` (seconds) and raises ``PlatformUnavailable`` on a timeout or transport failure.
Amounts are integer fen; months are the first day of the month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol, runtime_checkable

from core.exceptions import DomainError

# Platform statuses (DOMAIN.md §8).
COMPLETED = "00"
LETTER_REVIEWED = "01"
LETTER_RECEIVED = "02"
CANCELLED = "05"
NEGOTIATING = "06"
REJECTED = "13"
FAILED = "40"
STATUSES = (COMPLETED, LETTER_REVIEWED, LETTER_RECEIVED, CANCELLED, NEGOTIATING, REJECTED, FAILED)
FINAL_STATUSES = (COMPLETED, CANCELLED, REJECTED, FAILED)

# Why a sending centre refuses a letter.
ACCOUNT_NOT_SEALED = "ACCOUNT_NOT_SEALED"
LOAN_UNSETTLED = "LOAN_UNSETTLED"
WITHDRAWAL_OPEN = "WITHDRAWAL_OPEN"
NO_ACCOUNT = "NO_ACCOUNT"
NO_BALANCE = "NO_BALANCE"
REFUSAL_CODES = (ACCOUNT_NOT_SEALED, LOAN_UNSETTLED, WITHDRAWAL_OPEN, NO_ACCOUNT, NO_BALANCE)

REF_MAX_LENGTH = 40


class PlatformUnavailable(Exception):
    """No answer in time, or a transport failure: the call's fate is unknown; ask again later."""


class LetterRejected(DomainError):
    """The platform refused the call as malformed (or a reused reference with other details)."""

    code = "LETTER_REJECTED"


class UnknownLetter(LetterRejected):
    """The platform holds no letter under this reference."""

    code = "UNKNOWN_LETTER"


@dataclass(frozen=True)
class ContactLetter:
    """Our letter to the sending centre: please transfer this person's fund to us."""

    letter_ref: str
    id_number: str
    name: str
    sending_city_code: str
    receiving_city_code: str
    receiving_account_no: str


@dataclass(frozen=True)
class LetterReceipt:
    letter_ref: str
    platform_ref: str
    accepted_at: datetime


@dataclass(frozen=True)
class DepositHistory:
    opened_on: date
    paid_up_to: date  # the last month paid, as its first day
    months_deposited: int
    last_six_continuous: bool


@dataclass(frozen=True)
class TransferReply:
    """The sending centre's answer: principal and interest to date, and the deposit history."""

    principal: int
    interest: int
    history: DepositHistory

    @property
    def amount(self) -> int:
        return self.principal + self.interest


@dataclass(frozen=True)
class Refusal:
    reason_code: str
    note: str = ""


@dataclass(frozen=True)
class LetterStatus:
    """Where our letter stands; ``reply`` once the sender answered, ``arrived_on`` once paid."""

    letter_ref: str
    platform_ref: str
    status: str
    reply: TransferReply | None = None
    refusal_code: str | None = None
    arrived_on: date | None = None


@dataclass(frozen=True)
class IncomingLetter:
    """A letter another centre sent us: one of our account holders asks to move there."""

    platform_ref: str
    id_number: str
    name: str
    receiving_city_code: str
    receiving_city_name: str
    sent_at: datetime


def check_timeout(timeout: float) -> None:
    if not timeout or timeout <= 0:
        raise ValueError("timeout must be a positive number of seconds")


def check_letter(letter: ContactLetter) -> None:
    """Raise ``LetterRejected`` unless the platform would accept the letter."""
    problems = []
    if not isinstance(letter.letter_ref, str) or not letter.letter_ref.strip():
        problems.append("letter_ref is empty")
    elif len(letter.letter_ref) > REF_MAX_LENGTH:
        problems.append(f"letter_ref is longer than {REF_MAX_LENGTH} characters")
    for field in ("id_number", "name", "receiving_account_no"):
        if not str(getattr(letter, field) or "").strip():
            problems.append(f"{field} is empty")
    for field in ("sending_city_code", "receiving_city_code"):
        value = getattr(letter, field)
        if not (isinstance(value, str) and len(value) == 6 and value.isdigit()):
            problems.append(f"{field} must be a 6-digit region code")
    if letter.sending_city_code == letter.receiving_city_code:
        problems.append("a cross-city transfer needs two different cities")
    if problems:
        raise LetterRejected("; ".join(problems))


def check_answer(answer: TransferReply | Refusal) -> None:
    if isinstance(answer, Refusal):
        if answer.reason_code not in REFUSAL_CODES:
            raise LetterRejected(f"unknown refusal code {answer.reason_code!r}")
        return
    if not isinstance(answer, TransferReply):
        raise LetterRejected("an answer is a TransferReply or a Refusal")
    for field in ("principal", "interest"):
        value = getattr(answer, field)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise LetterRejected(f"{field} must be a whole, non-negative number of fen")
    if answer.amount <= 0:
        raise LetterRejected("a transfer moves a positive amount")


@runtime_checkable
class TransferPlatform(Protocol):
    def send_contact_letter(self, *, letter: ContactLetter, timeout: float) -> LetterReceipt:
        """Send our letter; the same ``letter_ref`` again returns the first receipt."""

    def letter_status(self, *, letter_ref: str, timeout: float) -> LetterStatus:
        """Where our letter stands (``UnknownLetter`` if the platform never accepted it)."""

    def poll_incoming_letters(self, *, timeout: float) -> list[IncomingLetter]:
        """Letters to us not yet answered; a letter may come again until it is answered."""

    def reply_to_letter(self, *, platform_ref: str, answer: TransferReply | Refusal, timeout: float) -> None:
        """Answer a letter; the same answer again is accepted, another one refused."""

    def confirm_transfer_out(self, *, platform_ref: str, timeout: float) -> str:
        """Report our payment sent; returns the transfer's status (``COMPLETED`` once received)."""
