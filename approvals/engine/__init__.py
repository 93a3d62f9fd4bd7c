"""The decision engine: pure Python (standard library only), no Django and no project apps.

Rules are pure functions over frozen fact dataclasses and a plain mapping of policy parameters;
:func:`evaluate` runs a :class:`RuleSet` and returns an :class:`Evaluation`.
"""

from approvals.engine.dates import add_months, age_in_years, whole_months_between
from approvals.engine.facts import Facts, InvalidFacts
from approvals.engine.rules import (
    RULE_SETS,
    Evaluation,
    Outcome,
    Params,
    Reason,
    Rule,
    RuleResult,
    RuleSet,
    Status,
    UndeclaredParameter,
    Verdict,
    evaluate,
    failed,
    passed,
    refer,
    register,
    requires,
    rule,
    rule_error,
    rule_set,
    unknown,
)
from approvals.engine.unknown import UNKNOWN, Unknown, any_unknown, is_unknown

__all__ = [
    "RULE_SETS",
    "UNKNOWN",
    "Evaluation",
    "Facts",
    "InvalidFacts",
    "Outcome",
    "Params",
    "Reason",
    "Rule",
    "RuleResult",
    "RuleSet",
    "Status",
    "UndeclaredParameter",
    "Unknown",
    "Verdict",
    "add_months",
    "age_in_years",
    "any_unknown",
    "evaluate",
    "failed",
    "is_unknown",
    "passed",
    "refer",
    "register",
    "requires",
    "rule",
    "rule_error",
    "rule_set",
    "unknown",
    "whole_months_between",
]
