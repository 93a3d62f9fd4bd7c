"""The electronic audit rules (电子稽核), one module each; ``all_rules`` is what the engine runs."""

from inspection.rules.base import AuditRule
from inspection.rules.cap_base_newcomers import CapBaseNewcomers
from inspection.rules.channel_spike import ChannelSpike
from inspection.rules.ledger_invariants import LedgerInvariants
from inspection.rules.out_of_hours import StaffOutOfHoursBulk
from inspection.rules.payout_card import PayoutCardNotApplicants
from inspection.rules.shared_property import PropertySharedByUnrelated
from inspection.rules.staff_conflict import StaffConflictOfInterest
from inspection.rules.under_threshold import WithdrawalsUnderThreshold


def all_rules() -> tuple[AuditRule, ...]:
    return (
        LedgerInvariants(),
        PayoutCardNotApplicants(),
        PropertySharedByUnrelated(),
        WithdrawalsUnderThreshold(),
        StaffConflictOfInterest(),
        StaffOutOfHoursBulk(),
        ChannelSpike(),
        CapBaseNewcomers(),
    )
