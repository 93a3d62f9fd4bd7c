"""What an audit rule is: the contract between the rules and the engine that runs them.

A rule looks at one audit event as it is written (``on_event``) or at a whole day (``sweep``,
run nightly) and returns findings; the engine (``inspection.services``) turns each finding
into an alert, at most one open alert per (rule, subject), so a rule may report the same
problem again without flooding the auditors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, ClassVar, Protocol

if TYPE_CHECKING:
    from audit.models import AuditEvent

LOW = "low"
MEDIUM = "medium"
HIGH = "high"
CRITICAL = "critical"
SEVERITIES = (LOW, MEDIUM, HIGH, CRITICAL)

# The three families of the daily audit report (财务 / 网络信息 / 业务审批).
FINANCE = "finance"
NETWORK = "network"
APPROVAL = "approval"
FAMILIES = (FINANCE, NETWORK, APPROVAL)


@dataclass(frozen=True)
class Finding:
    """One thing a rule saw; personal data in ``title`` and ``evidence`` already masked."""

    rule: str
    severity: str
    # A stable key for what the finding is about ("payout:42", "property:<hash>", "staff:7"):
    # a second finding with the same rule and subject joins the open alert instead of a new one.
    subject: str
    title: str
    evidence: dict = field(default_factory=dict)


class AuditRule(Protocol):
    code: ClassVar[str]
    family: ClassVar[str]
    severity: ClassVar[str]
    # Audit actions this rule reacts to as they are written; empty for a sweep-only rule.
    actions: ClassVar[frozenset[str]]

    def title(self) -> str:
        """The rule's name for people, translated."""

    def on_event(self, event: AuditEvent) -> list[Finding]:
        """Findings from one event just written (called after the event's commit)."""

    def sweep(self, *, day: date) -> list[Finding]:
        """Findings from looking at everything of ``day`` (local date) at once."""
