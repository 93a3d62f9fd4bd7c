"""Where the withdrawals app plugs into others: the approvals kind and the payouts purposes."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def on_decided(*, application, decision) -> None:
    from withdrawals.services import after_decision

    after_decision(application=application, decision=decision)


def on_payout_paid(*, payout, **_context) -> None:
    from withdrawals.services import record_payout_paid

    record_payout_paid(source_ref=payout.source_ref)


def on_payout_failed(*, payout, **_context) -> None:
    from withdrawals.services import record_payout_failed

    record_payout_failed(source_ref=payout.source_ref)


def register() -> None:
    """Called from ``WithdrawalsConfig.ready()``."""
    from approvals.registry import register_kind

    register_kind("withdrawal", on_decided=on_decided)
    try:
        from payouts.registry import register_purpose
    except ImportError:
        # No payouts app installed: withdrawals are held at the payout step, never lost.
        logger.warning("payouts.registry is missing: payout results will not reach withdrawals")
        return
    register_purpose("withdrawal", on_paid=on_payout_paid, on_failed=on_payout_failed)
    register_purpose("loan_repayment", on_paid=on_payout_paid, on_failed=on_payout_failed)
