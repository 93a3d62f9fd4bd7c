"""Where the loans app plugs into others: the payout purpose of a loan's disbursement."""

from __future__ import annotations


def on_disbursement_settled(*, payout, **_context) -> None:
    from loans.disbursement import record_disbursement_result

    record_disbursement_result(payout_id=payout.pk)


def register() -> None:
    """Called from ``LoansConfig.ready()``: a paid or failed disbursement payout reaches its loan."""
    from loans.disbursement import DISBURSEMENT_PURPOSE
    from payouts.registry import register_purpose

    register_purpose(DISBURSEMENT_PURPOSE, on_paid=on_disbursement_settled, on_failed=on_disbursement_settled)
