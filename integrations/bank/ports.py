"""The entrusted-collection bank (特约委托收款) as a port: a Protocol, frozen dataclasses, exceptions.

Collection is asynchronous: ``submit_collection`` only asks the bank to debit the payer's
account and returns the bank's acceptance; the outcome comes later from ``collection_result``
(``None`` while the bank has not settled). Money may be credited to fund accounts only on a
``SUCCEEDED`` result.

``order_ref`` is our idempotency reference: submitting the same reference again returns the
first receipt and never creates a second debit, so a caller whose submission timed out (the
bank may have accepted it all the same) simply submits again. The same reference with other
details is refused. Every method takes ``timeout`` (seconds) and raises ``BankUnavailable`` on
a timeout or transport failure. Amounts are integer fen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol, runtime_checkable

from core.exceptions import DomainError

SUCCEEDED = "SUCCEEDED"
FAILED = "FAILED"
RESULT_STATUSES = (SUCCEEDED, FAILED)

INSUFFICIENT_FUNDS = "INSUFFICIENT_FUNDS"
ACCOUNT_FROZEN = "ACCOUNT_FROZEN"
ACCOUNT_CLOSED = "ACCOUNT_CLOSED"
FAILURE_CODES = (INSUFFICIENT_FUNDS, ACCOUNT_FROZEN, ACCOUNT_CLOSED)

ORDER_REF_MAX_LENGTH = 64


class BankUnavailable(Exception):
    """No answer in time, or a transport failure: the order's fate is unknown; ask again later."""


class OrderRejected(DomainError):
    """The bank refused the order as malformed (or as a reused reference with other details)."""

    code = "ORDER_REJECTED"


class UnknownOrder(OrderRejected):
    """The bank has no order under this reference (it was never accepted): submit it again."""

    code = "UNKNOWN_ORDER"


@dataclass(frozen=True)
class CollectionOrder:
    order_ref: str
    payer_account_no: str
    payer_bank_name: str
    payer_name: str
    amount: int
    same_bank: bool
    memo: str = ""


@dataclass(frozen=True)
class SubmitReceipt:
    order_ref: str
    bank_ref: str
    accepted_at: datetime


@dataclass(frozen=True)
class CollectionResult:
    order_ref: str
    status: str
    failure_code: str | None
    bank_ref: str
    settled_on: date


def check_order(order: CollectionOrder) -> None:
    """Raise ``OrderRejected`` unless the order is one a bank would accept."""
    problems = []
    if not isinstance(order.order_ref, str) or not order.order_ref.strip():
        problems.append("order_ref is empty")
    elif len(order.order_ref) > ORDER_REF_MAX_LENGTH:
        problems.append(f"order_ref is longer than {ORDER_REF_MAX_LENGTH} characters")
    # bool is an int: refuse it explicitly so True never debits one fen.
    if not isinstance(order.amount, int) or isinstance(order.amount, bool) or order.amount <= 0:
        problems.append("amount must be a positive whole number of fen")
    for field in ("payer_account_no", "payer_bank_name", "payer_name"):
        value = getattr(order, field)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{field} is empty")
    if not isinstance(order.same_bank, bool):
        problems.append("same_bank must be true or false")
    if problems:
        raise OrderRejected("; ".join(problems))


def check_timeout(timeout: float) -> None:
    if not timeout or timeout <= 0:
        raise ValueError("timeout must be a positive number of seconds")


@runtime_checkable
class CollectionBank(Protocol):
    def submit_collection(self, *, order: CollectionOrder, timeout: float) -> SubmitReceipt:
        """Ask the bank to debit the payer; the same ``order_ref`` again returns the first receipt."""

    def collection_result(self, *, order_ref: str, timeout: float) -> CollectionResult | None:
        """The settled outcome of an accepted order; ``None`` while it is pending."""
