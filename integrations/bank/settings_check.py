"""Validation of ``BANK_COLLECTION`` and ``BANK_PAYMENT`` for production (importable without Django)."""

from __future__ import annotations

from integrations.gov.settings_check import REFUSED_FRAGMENTS


def bank_collection_problems(path: object) -> list[str]:
    """What is wrong with a production ``BANK_COLLECTION`` dotted path; empty when acceptable."""
    return _bank_problems("BANK_COLLECTION", path)


def bank_payment_problems(path: object) -> list[str]:
    """What is wrong with a production ``BANK_PAYMENT`` dotted path; empty when acceptable."""
    return _bank_problems("BANK_PAYMENT", path)


def _bank_problems(setting: str, path: object) -> list[str]:
    if not isinstance(path, str) or not path.strip():
        return [f"{setting} must be a dotted class path"]
    if any(fragment in f".{path}." for fragment in REFUSED_FRAGMENTS):
        return [f"{setting} is {path}: sandbox and fake banks are for development and tests only"]
    return []
