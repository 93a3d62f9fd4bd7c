"""Validation of ``TRANSFER_PLATFORM`` for production (importable without Django)."""

from __future__ import annotations

from integrations.gov.settings_check import REFUSED_FRAGMENTS


def transfer_platform_problems(path: object) -> list[str]:
    """What is wrong with a production ``TRANSFER_PLATFORM`` dotted path; empty when acceptable."""
    if not isinstance(path, str) or not path.strip():
        return ["TRANSFER_PLATFORM must be a dotted class path"]
    if any(fragment in f".{path}." for fragment in REFUSED_FRAGMENTS):
        return [f"TRANSFER_PLATFORM is {path}: the sandbox and fakes are for development and tests only"]
    return []
