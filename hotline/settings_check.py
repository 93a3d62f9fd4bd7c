"""Validation of the 12329 channels' shared secrets for production settings (no Django needed)."""

from __future__ import annotations

#: Shorter secrets can be guessed offline from one captured signature.
MIN_SECRET_LENGTH = 32


def webhook_secret_problems(name: str, value: object, development_default: str) -> list[str]:
    """What is wrong with a production webhook secret; empty when acceptable."""
    if not isinstance(value, str) or not value.strip():
        return [f"{name} must be set"]
    if value == development_default:
        return [f"{name} must not be the development default"]
    if len(value) < MIN_SECRET_LENGTH:
        return [f"{name} must be a random value of {MIN_SECRET_LENGTH}+ characters"]
    return []
