"""Rules, rule sets and their evaluation: pure functions from facts and parameters to an outcome.

A rule looks at the frozen facts and the policy parameters and answers PASS, FAIL (a known fact
contradicts the application), UNKNOWN (a fact it needs is UNKNOWN) or REFER (the answer needs a
person). :func:`evaluate` combines the answers: REJECT if any rule FAILs, else REFER if any is
UNKNOWN or REFER, else APPROVE.
"""

import enum
import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from approvals.engine.unknown import UNKNOWN

logger = logging.getLogger(__name__)


class Status(enum.Enum):
    PASS = "PASS"
    FAIL = "FAIL"
    UNKNOWN = "UNKNOWN"
    REFER = "REFER"  # the rule demands human judgement


class Outcome(enum.Enum):
    APPROVE = "APPROVE"
    REJECT = "REJECT"
    REFER = "REFER"


@dataclass(frozen=True)
class Reason:
    """A plain explanation for the citizen; ``code`` is a stable upper-case identifier."""

    code: str
    zh_hans: str
    en: str

    def to_json(self) -> dict[str, str]:
        return {"code": self.code, "zh_hans": self.zh_hans, "en": self.en}


@dataclass(frozen=True)
class RuleResult:
    rule: str
    status: Status
    reason: Reason | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "status": self.status.value,
            "reason": self.reason.to_json() if self.reason else None,
        }


Params = Mapping[str, Any]
Check = Callable[[Any, Params], RuleResult]


@dataclass(frozen=True)
class Rule:
    name: str
    check: Check


@dataclass(frozen=True)
class RuleSet:
    """A named, versioned list of rules over one facts type.

    ``parameters`` are exactly the policy keys the rules and ``max_amount`` read: the caller fetches
    those (with their versions) and records them. ``max_amount(facts, params)`` is the largest
    amount the rules allow (fen), or None when no amount applies or the facts do not fix one.
    """

    name: str
    version: int
    facts_type: type
    parameters: tuple[str, ...]
    rules: tuple[Rule, ...]
    max_amount: Callable[[Any, Params], int | None] = field(default=lambda facts, params: None)

    def amount_limit(self, facts, params: Params) -> int | None:
        """``max_amount`` with the same parameter discipline as :func:`evaluate`.

        A slip in ``max_amount`` gives None (no amount fixed by the rules) rather than an error, for
        the same reason a failing rule refers: staff then set the amount.
        """
        try:
            return self.max_amount(facts, _DeclaredParams(params, self.parameters))
        except Exception:
            logger.exception("max_amount of %s raised", self.name)
            return None


@dataclass(frozen=True)
class Evaluation:
    outcome: Outcome
    results: tuple[RuleResult, ...]
    reasons: tuple[Reason, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome.value,
            "results": [result.to_json() for result in self.results],
            "reasons": [reason.to_json() for reason in self.reasons],
        }


class UndeclaredParameter(KeyError):
    """A rule read a policy key its rule set does not list in ``parameters``."""


class _DeclaredParams(Mapping[str, Any]):
    """The caller's parameters, narrowed to the keys the rule set declares.

    Reading an undeclared key is a bug in the rule set (its decision record would not show the
    value used), so it raises even when the caller happens to hold the key.
    """

    def __init__(self, params: Params, declared: tuple[str, ...]):
        self._params = params
        self._declared = frozenset(declared)

    def __getitem__(self, key: str) -> Any:
        if key not in self._declared:
            raise UndeclaredParameter(key)
        return self._params[key]

    def __iter__(self) -> Iterator[str]:
        return (key for key in self._params if key in self._declared)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def rule_error(exception: BaseException) -> Reason:
    kind = type(exception).__name__
    return Reason(
        "RULE_ERROR",
        f"系统核对此项条件时出错（{kind}），您的申请已转人工审核，不会因此被拒绝。",
        f"An error occurred while checking this condition ({kind}); your application has been "
        "passed to staff for review and will not be refused because of it.",
    )


def _run(rule: Rule, facts, params: Params) -> RuleResult:
    try:
        result = rule.check(facts, params)
        if not isinstance(result, RuleResult):
            raise TypeError(f"rule {rule.name} returned {result!r}, not a RuleResult")
    except Exception as exception:
        # A coding slip or a missing parameter must never reject a citizen: refer instead, and log
        # loudly so the slip gets fixed.
        logger.exception("rule %s raised", rule.name)
        return RuleResult(rule.name, Status.REFER, rule_error(exception))
    return result


def evaluate(rule_set: RuleSet, facts, params: Params) -> Evaluation:
    """Run every rule and combine: REJECT if any FAILs; else REFER if any is UNKNOWN/REFER; else APPROVE.

    ``reasons`` are the failing rules' reasons on REJECT, the unknown or referring rules' on REFER,
    and empty on APPROVE. A rule that raises counts as REFER with reason ``RULE_ERROR`` (the
    exception type in the message), so a bug refers the application to staff instead of
    refusing it; reading a parameter the rule set does not declare is such a bug. Facts of the
    wrong type are the caller's bug and raise ``TypeError``.
    """
    if not isinstance(facts, rule_set.facts_type):
        raise TypeError(
            f"rule set {rule_set.name} expects {rule_set.facts_type.__name__}, got {type(facts).__name__}"
        )
    declared = _DeclaredParams(params, rule_set.parameters)
    results = tuple(_run(each, facts, declared) for each in rule_set.rules)
    failing = [result for result in results if result.status is Status.FAIL]
    open_ = [result for result in results if result.status in (Status.UNKNOWN, Status.REFER)]
    if failing:
        outcome, deciding = Outcome.REJECT, failing
    elif open_:
        outcome, deciding = Outcome.REFER, open_
    else:
        outcome, deciding = Outcome.APPROVE, []
    # Several rules can fail for one cause (no property found): tell the citizen once.
    reasons: dict[str, Reason] = {}
    for result in deciding:
        if result.reason is not None:
            reasons.setdefault(result.reason.code, result.reason)
    return Evaluation(outcome, results, tuple(reasons.values()))


# Writing rules concisely ----------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """What a rule body returns when a plain True/False is not enough."""

    status: Status
    reason: Reason | None = None


def passed() -> Verdict:
    return Verdict(Status.PASS)


def failed(reason: Reason) -> Verdict:
    return Verdict(Status.FAIL, reason)


def unknown(reason: Reason) -> Verdict:
    return Verdict(Status.UNKNOWN, reason)


def refer(reason: Reason) -> Verdict:
    return Verdict(Status.REFER, reason)


ReasonSpec = Reason | Callable[[Any, Params], Reason] | None


def _reason(spec: ReasonSpec, facts, params: Params) -> Reason | None:
    if spec is None or isinstance(spec, Reason):
        return spec
    return spec(facts, params)


def rule(
    name: str,
    *,
    needs: tuple[str, ...] = (),
    on_fail: ReasonSpec = None,
    on_unknown: ReasonSpec = None,
) -> Callable[[Callable[[Any, Params], Any]], Rule]:
    """Make a :class:`Rule` from a function ``body(facts, params)``.

    If any fact named in ``needs`` is UNKNOWN the rule answers UNKNOWN with ``on_unknown`` without
    running the body. The body returns True (PASS), False (FAIL with ``on_fail``), UNKNOWN
    (UNKNOWN with ``on_unknown``) or a :class:`Verdict`. ``on_fail`` and ``on_unknown`` are a
    :class:`Reason` or a function ``(facts, params) -> Reason`` for messages that quote values.
    """

    def make(body: Callable[[Any, Params], Any]) -> Rule:
        def check(facts, params: Params) -> RuleResult:
            if any(getattr(facts, fact) is UNKNOWN for fact in needs):
                answer = UNKNOWN
            else:
                answer = body(facts, params)
            if answer is UNKNOWN:
                return RuleResult(name, Status.UNKNOWN, _reason(on_unknown, facts, params))
            if answer is True:
                return RuleResult(name, Status.PASS)
            if answer is False:
                return RuleResult(name, Status.FAIL, _reason(on_fail, facts, params))
            if isinstance(answer, Verdict):
                return RuleResult(name, answer.status, answer.reason)
            raise TypeError(f"rule {name} answered {answer!r}")

        check.__name__ = check.__qualname__ = body.__name__
        check.__doc__ = body.__doc__
        return Rule(name, check)

    return make


def requires(*values: Any) -> Any:
    """UNKNOWN if any value is UNKNOWN, else None: ``if requires(a, b) is UNKNOWN: return UNKNOWN``."""
    return UNKNOWN if any(value is UNKNOWN for value in values) else None


# Registry ---------------------------------------------------------------------------------------

RULE_SETS: dict[str, RuleSet] = {}


def register(rule_set_: RuleSet) -> RuleSet:
    existing = RULE_SETS.get(rule_set_.name)
    if existing is not None and existing is not rule_set_:
        raise ValueError(f"rule set {rule_set_.name} is already registered")
    RULE_SETS[rule_set_.name] = rule_set_
    return rule_set_


def rule_set(name: str) -> RuleSet:
    """The registered rule set of that name (the rule sets register when approvals.rulesets loads)."""
    import approvals.rulesets  # noqa: F401  (filling the registry; the engine itself stays below)

    try:
        return RULE_SETS[name]
    except KeyError:
        raise KeyError(f"no rule set named {name!r}") from None
