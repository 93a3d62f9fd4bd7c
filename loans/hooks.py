"""Where the loans app plugs into others: the payout purpose of a loan's disbursement, and the
approvals kind of its eligibility check (a reviewer's decision on a referred check reaches the loan)."""

from __future__ import annotations


def on_disbursement_settled(*, payout, **_context) -> None:
    from loans.disbursement import record_disbursement_result

    record_disbursement_result(payout_id=payout.pk)


def on_eligibility_decided(*, application, decision) -> None:
    from loans.services import after_eligibility_decided

    after_eligibility_decided(application=application, decision=decision)


def register() -> None:
    """Called from ``LoansConfig.ready()``: a paid or failed disbursement payout reaches its loan,
    and a staff decision on a loan's referred eligibility check reaches the loan."""
    from approvals.registry import register_kind
    from loans.disbursement import DISBURSEMENT_PURPOSE
    from payouts.registry import register_purpose

    register_purpose(DISBURSEMENT_PURPOSE, on_paid=on_disbursement_settled, on_failed=on_disbursement_settled)
    register_kind("loan", on_decided=on_eligibility_decided)
