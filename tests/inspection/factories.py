"""Factories for the electronic audit's tests: staff by role, alerts, and tiny rules to drive the engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import factory
from django.utils import timezone

from accounts.roles import ensure_roles
from inspection.models import Alert, AlertStatus
from inspection.rules.base import FINANCE, HIGH, Finding
from tests.accounts.factories import UserFactory


def staff(role: str, username: str | None = None):
    """A user holding ``role`` (staff roles also get is_staff)."""
    fields = {"username": username} if username else {}
    user = UserFactory(is_staff=role != "employee", **fields)
    user.groups.add(ensure_roles()[role])
    return user


class AlertFactory(factory.django.DjangoModelFactory):
    """A live alert arranged directly; engine tests raise theirs through ``inspection.engine``."""

    class Meta:
        model = Alert

    rule = "test.rule"
    family = FINANCE
    severity = HIGH
    subject = factory.Sequence(lambda n: f"payout:{n}")
    title = factory.Sequence(lambda n: f"Payout {n} looks odd")
    evidence = factory.LazyFunction(lambda: [{"amount": 180000}])
    status = AlertStatus.OPEN
    raised_at = factory.LazyFunction(timezone.now)
    last_seen_at = factory.LazyFunction(timezone.now)


# eq=False: rules are matched by identity, and two echoes with the same fields are two rules.
@dataclass(eq=False)
class EchoRule:
    """Finds something in every event of ``actions``: subject from the event's target, or ``subject``."""

    code: str = "test.echo"
    family: str = FINANCE
    severity: str = HIGH
    actions: frozenset = frozenset({"test.watched"})
    subject: str | None = None
    seen: list = field(default_factory=list)
    swept: list = field(default_factory=list)
    sweep_findings: list = field(default_factory=list)

    def title(self) -> str:
        return "Echo"

    def on_event(self, event) -> list[Finding]:
        self.seen.append(event.sequence)
        subject = self.subject or f"event:{event.target_id or event.sequence}"
        return [
            Finding(
                rule=self.code,
                severity=self.severity,
                subject=subject,
                title=f"Seen {event.action}",
                evidence={"action": event.action},
            )
        ]

    def sweep(self, *, day: date) -> list[Finding]:
        self.swept.append(day)
        return list(self.sweep_findings)


class BrokenRule(EchoRule):
    def on_event(self, event) -> list[Finding]:
        self.seen.append(event.sequence)
        raise RuntimeError("broken rule")

    def sweep(self, *, day: date) -> list[Finding]:
        raise RuntimeError("broken sweep")
