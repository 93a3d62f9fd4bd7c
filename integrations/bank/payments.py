"""The payment bank (代付) as a port: a Protocol, frozen dataclasses, exceptions.

The centre pays withdrawals straight to the employee's own card (自动支取入账). Payment is
asynchronous, like collection (``ports``): ``submit_payments`` hands the bank a batch of
instructions and returns one receipt per instruction; the outcome comes later from
``payment_result`` (``None`` while unsettled). ``verify_card`` asks whether a card exists and is
in the named person's name (the 三要素 check: card, name, ID number) before anyone relies on it.

``reference`` is our idempotency reference: the bank keeps one payment per reference, so
submitting the same reference again returns the first receipt and never pays twice — a caller
whose submission timed out (the bank may have accepted it all the same) simply submits again.
The same reference with other details is refused, per instruction, with a ``REJECTED`` receipt
(``REFERENCE_CONFLICT``); one bad instruction never blocks the rest of its batch.

Every method takes ``timeout`` (seconds) and raises ``ports.BankUnavailable`` on a timeout or a
transport failure: the fate of a submitted batch is then unknown. ``payment_result`` raises
``UnknownPayment`` when the bank never accepted the reference (safe to submit again). Amounts
are integer fen.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol, runtime_checkable

from core.exceptions import DomainError

from .ports import BankUnavailable, check_timeout

__all__ = [
    "ACCEPTED",
    "ACCOUNT_FROZEN",
    "CARD_INVALID",
    "FAILED",
    "FAILURE_CODES",
    "MALFORMED",
    "NAME_MISMATCH",
    "PAID",
    "REFERENCE_CONFLICT",
    "REJECTED",
    "BankUnavailable",
    "CardCheck",
    "PaymentBank",
    "PaymentInstruction",
    "PaymentReceipt",
    "PaymentRejected",
    "PaymentResult",
    "UnknownPayment",
    "check_instruction",
    "check_timeout",
]

# Settled outcomes.
PAID = "PAID"
FAILED = "FAILED"
RESULT_STATUSES = (PAID, FAILED)

# Why a payment failed: no such card, the card is frozen, the card is in someone else's name.
CARD_INVALID = "CARD_INVALID"
ACCOUNT_FROZEN = "ACCOUNT_FROZEN"
NAME_MISMATCH = "NAME_MISMATCH"
FAILURE_CODES = (CARD_INVALID, ACCOUNT_FROZEN, NAME_MISMATCH)

# What the bank said to one instruction of a batch.
ACCEPTED = "ACCEPTED"
REJECTED = "REJECTED"
# Why an instruction was refused at submission (nothing is paid under a refused instruction).
MALFORMED = "MALFORMED"
REFERENCE_CONFLICT = "REFERENCE_CONFLICT"
REJECTION_CODES = (MALFORMED, REFERENCE_CONFLICT)

REFERENCE_MAX_LENGTH = 64
# The most instructions one call may carry: a bank's batch file has a size limit.
MAX_BATCH = 1000

_CARD = re.compile(r"^[0-9]{15,19}$")


class PaymentRejected(DomainError):
    """The whole call was refused as malformed (an empty or oversized batch, a reference twice)."""

    code = "PAYMENT_REJECTED"


class UnknownPayment(PaymentRejected):
    """The bank has no payment under this reference (it never accepted it): submit it again."""

    code = "UNKNOWN_PAYMENT"


@dataclass(frozen=True)
class PaymentInstruction:
    reference: str
    card_no: str
    holder_name: str
    amount: int
    memo: str = ""


@dataclass(frozen=True)
class PaymentReceipt:
    """The bank's answer to one instruction: ACCEPTED with its own reference, or REJECTED and why."""

    reference: str
    status: str
    bank_ref: str = ""
    accepted_at: datetime | None = None
    rejection: str | None = None

    @property
    def accepted(self) -> bool:
        return self.status == ACCEPTED


@dataclass(frozen=True)
class PaymentResult:
    reference: str
    status: str
    failure_code: str | None
    bank_ref: str
    amount: int
    settled_on: date

    @property
    def paid(self) -> bool:
        return self.status == PAID


@dataclass(frozen=True)
class CardCheck:
    """What the bank says of a card: it exists, it is in that person's name, it can receive money."""

    exists: bool
    name_matches: bool
    frozen: bool = False

    @property
    def usable(self) -> bool:
        return self.exists and self.name_matches and not self.frozen


def instruction_problems(instruction: PaymentInstruction) -> list[str]:
    """Why a bank would refuse the instruction as malformed; empty when it would accept it."""
    problems = []
    reference = instruction.reference
    if not isinstance(reference, str) or not reference.strip():
        problems.append("reference is empty")
    elif len(reference) > REFERENCE_MAX_LENGTH:
        problems.append(f"reference is longer than {REFERENCE_MAX_LENGTH} characters")
    amount = instruction.amount
    # bool is an int: refuse it explicitly so True never pays one fen.
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        problems.append("amount must be a positive whole number of fen")
    if not isinstance(instruction.card_no, str) or not _CARD.match(instruction.card_no):
        problems.append("card_no must be 15 to 19 digits")
    if not isinstance(instruction.holder_name, str) or not instruction.holder_name.strip():
        problems.append("holder_name is empty")
    return problems


def check_instruction(instruction: PaymentInstruction) -> None:
    """Raise ``PaymentRejected`` unless the instruction is one a bank would accept."""
    problems = instruction_problems(instruction)
    if problems:
        raise PaymentRejected("; ".join(problems))


def check_batch(instructions: Sequence[PaymentInstruction]) -> None:
    """Refuse a call the bank would refuse whole: empty, too large, or a reference twice."""
    if not instructions:
        raise PaymentRejected("a batch needs at least one instruction")
    if len(instructions) > MAX_BATCH:
        raise PaymentRejected(f"a batch carries at most {MAX_BATCH} instructions")
    references = [instruction.reference for instruction in instructions]
    if len(set(references)) != len(references):
        raise PaymentRejected("a reference appears twice in one batch")


def rejected(reference: str, why: str) -> PaymentReceipt:
    return PaymentReceipt(reference=reference, status=REJECTED, rejection=why)


@runtime_checkable
class PaymentBank(Protocol):
    def verify_card(self, *, card_no: str, holder_name: str, id_number: str, timeout: float) -> CardCheck:
        """Whether the card exists and is in the person's name (and not frozen)."""

    def submit_payments(
        self, *, instructions: Sequence[PaymentInstruction], timeout: float
    ) -> list[PaymentReceipt]:
        """One receipt per instruction, in order; a known reference returns its first receipt."""

    def payment_result(self, *, reference: str, timeout: float) -> PaymentResult | None:
        """The settled outcome; ``None`` while unsettled; ``UnknownPayment`` if never accepted."""
