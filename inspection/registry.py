"""Which rules run on which audit action.

A rule's ``actions`` holds exact actions (``payouts.created``) or prefix patterns ending in
``.*`` (``ledger.*`` matches every action that starts with ``ledger.``); the bare ``*`` matches
every action. The engine's own events (``inspection.*``) are never given to rules, so an alert
cannot raise another alert about itself.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from inspection.rules import all_rules
from inspection.rules.base import AuditRule

#: Actions the engine writes itself; rules never see them.
OWN_PREFIX = "inspection."

_override: tuple[AuditRule, ...] | None = None


def active_rules() -> tuple[AuditRule, ...]:
    """The rules the engine runs: ``inspection.rules.all_rules()``, or those given to :func:`use_rules`."""
    return _override if _override is not None else all_rules()


@contextmanager
def use_rules(*rules: AuditRule) -> Iterator[None]:
    """Run the engine with exactly ``rules`` (tests, benchmarks)."""
    global _override
    previous = _override
    _override = tuple(rules)
    try:
        yield
    finally:
        _override = previous


class Matcher:
    """Answers "which rules react to this action?" with a dict lookup and a short prefix scan."""

    def __init__(self, rules: Sequence[AuditRule]):
        self.exact: dict[str, list[AuditRule]] = {}
        self.prefixes: list[tuple[str, AuditRule]] = []
        self._seen: dict[str, list[AuditRule]] = {}
        for rule in rules:
            for action in rule.actions:
                if action == "*":
                    self.prefixes.append(("", rule))
                elif action.endswith(".*"):
                    self.prefixes.append((action[:-1], rule))
                else:
                    self.exact.setdefault(action, []).append(rule)

    def __bool__(self) -> bool:
        return bool(self.exact or self.prefixes)

    def rules_for(self, action: str) -> list[AuditRule]:
        # A list post writes thousands of events with a handful of actions: match each action once.
        found = self._seen.get(action)
        if found is None:
            found = self._seen[action] = self._match(action)
        return found

    def _match(self, action: str) -> list[AuditRule]:
        if action.startswith(OWN_PREFIX):
            return []
        found = list(self.exact.get(action, ()))
        for prefix, rule in self.prefixes:
            if action.startswith(prefix) and rule not in found:
                found.append(rule)
        return found
