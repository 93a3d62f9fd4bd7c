"""Errors the ledger raises; interfaces translate them by ``code``."""

from core.exceptions import DomainError


class LedgerError(DomainError):
    code = "LEDGER_ERROR"


class UnbalancedEntry(LedgerError):
    code = "UNBALANCED_ENTRY"


class InvalidLine(LedgerError):
    code = "INVALID_LINE"


class UnknownBusinessType(LedgerError):
    code = "UNKNOWN_BUSINESS_TYPE"


class InsufficientBalance(LedgerError):
    code = "INSUFFICIENT_BALANCE"


class AlreadyReversed(LedgerError):
    code = "ALREADY_REVERSED"


class UnknownLedgerAccount(LedgerError):
    code = "UNKNOWN_LEDGER_ACCOUNT"
