"""Validation of ``BANK_COLLECTION`` for production settings (importable without Django set up)."""

from __future__ import annotations

from integrations.gov.settings_check import REFUSED_FRAGMENTS


def bank_collection_problems(path: object) -> list[str]:
    """What is wrong with a production ``BANK_COLLECTION`` dotted path; empty when acceptable."""
    if not isinstance(path, str) or not path.strip():
        return ["BANK_COLLECTION must be a dotted class path"]
    if any(fragment in f".{path}." for fragment in REFUSED_FRAGMENTS):
        return [f"BANK_COLLECTION is {path}: sandbox and fake banks are for development and tests only"]
    return []
