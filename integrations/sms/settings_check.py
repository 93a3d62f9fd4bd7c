"""Validation of ``SMS_GATEWAY`` for production settings (importable without Django set up)."""

from __future__ import annotations

from integrations.gov.settings_check import REFUSED_FRAGMENTS


def sms_gateway_problems(path: object) -> list[str]:
    """What is wrong with a production ``SMS_GATEWAY`` dotted path; empty when acceptable."""
    if not isinstance(path, str) or not path.strip():
        return ["SMS_GATEWAY must be a dotted class path"]
    if any(fragment in f".{path}." for fragment in REFUSED_FRAGMENTS):
        return [f"SMS_GATEWAY is {path}: sandbox and fake gateways are for development and tests only"]
    return []
