"""Replaying past automatic decisions from their stored facts, with some parameters changed.

"What if the sealed period were 8 months instead of 6?": each decision is re-evaluated from the
facts and the parameter versions it recorded, with the overrides applied, and compared with what
was decided. Nothing is written and no source is asked: the stored facts are the evidence.

Decisions are replayed under today's rule sets, whatever version decided them. Facts added to a
rule set since carry a default that states what was true before they existed (``withdrawal_locked``
is False: nobody could lock then), so older records still decode.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from approvals.engine import RULE_SETS, evaluate, rule_set
from approvals.models import DecisionPurpose, DecisionRecord
from core.policy import DECIMAL, PARAMETERS, RATE, clean_policy_value


@dataclass(frozen=True)
class ReplayedDecision:
    decision_id: int
    application_id: int | None
    reason: str
    old_outcome: str
    new_outcome: str
    changed_rules: tuple[tuple[str, str, str], ...]  # (rule, old status, new status)

    @property
    def changed(self) -> bool:
        return self.old_outcome != self.new_outcome


@dataclass(frozen=True)
class ReplayReport:
    replayed: tuple[ReplayedDecision, ...]
    skipped: int  # records whose rule set no longer exists or whose facts no longer decode

    @property
    def changed(self) -> tuple[ReplayedDecision, ...]:
        return tuple(item for item in self.replayed if item.changed)


def typed_value(key: str, stored):
    """A stored parameter value (decimal text for rates) as the rules read it."""
    spec = PARAMETERS.get(key)
    if spec is not None and spec.kind in (RATE, DECIMAL):
        return Decimal(str(stored))
    return stored


def parse_overrides(pairs: Iterable[str]) -> dict[str, object]:
    """``["withdrawal.leaving.sealed_months=8"]`` → ``{key: typed value}``, validated like the policy
    app does; raises ValueError or core.policy's errors for a bad pair."""
    overrides = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"expected key=value, got {pair!r}")
        key = key.strip()
        overrides[key] = typed_value(key, clean_policy_value(key, value))
    return overrides


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def replay_decisions(
    *,
    since: date,
    until: date | None = None,
    overrides: Mapping[str, object],
    rule_set_name: str | None = None,
    include_prechecks: bool = False,
) -> ReplayReport:
    """Re-evaluate automatic application decisions made from ``since`` to ``until`` (inclusive dates).

    ``include_prechecks`` adds citizens' eligibility pre-checks: they show who a change would
    turn away (or let through) before those people apply.
    """
    import approvals.rulesets  # noqa: F401  (the rule sets register themselves on import)

    purposes = [DecisionPurpose.APPLICATION]
    if include_prechecks:
        purposes.append(DecisionPurpose.PRECHECK)
    records = DecisionRecord.objects.filter(purpose__in=purposes, decided_at__gte=_start(since))
    if until is not None:
        records = records.filter(decided_at__lt=_start(until) + timedelta(days=1))
    if rule_set_name:
        records = records.filter(rule_set=rule_set_name)
    replayed, skipped = [], 0
    for record in records.order_by("decided_at", "pk").iterator(chunk_size=1000):
        if record.rule_set not in RULE_SETS:
            skipped += 1
            continue
        rules = rule_set(record.rule_set)
        try:
            facts = rules.facts_type.from_json(record.facts)
        except ValueError:
            skipped += 1
            continue
        params = {key: typed_value(key, version["value"]) for key, version in record.parameters.items()}
        params.update({key: value for key, value in overrides.items() if key in rules.parameters})
        evaluation = evaluate(rules, facts, params)
        old_status = {result["rule"]: result["status"] for result in record.results}
        # A rule added since the decision (the withdrawal lock) that passes on the old facts
        # changed nothing; one that would not pass is reported like any other change.
        changed_rules = tuple(
            (result.rule, old_status.get(result.rule, "-"), result.status.value)
            for result in evaluation.results
            if old_status.get(result.rule, "PASS") != result.status.value
        )
        replayed.append(
            ReplayedDecision(
                decision_id=record.pk,
                application_id=record.application_id,
                reason=record.rule_set,
                old_outcome=record.outcome,
                new_outcome=evaluation.outcome.value,
                changed_rules=changed_rules,
            )
        )
    return ReplayReport(replayed=tuple(replayed), skipped=skipped)
