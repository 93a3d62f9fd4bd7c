"""The machine-readable last line of a benchmark: ``BENCH-SUMMARY {json}``, read by bench/run_all.py.

Every benchmark still prints its own human report; this adds one line at the end with what
docs/PERFORMANCE.md shows: the figures, the ratios with their goals, and the checks that must
pass (a failed check fails ``make bench``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

PREFIX = "BENCH-SUMMARY "


@dataclass
class Ratio:
    name: str
    value: float
    goal: str  # as people read it, e.g. "≤ 10×" or "≥ 0.5"
    met: bool | None  # None: a ratio shown for context, with no goal


@dataclass
class Summary:
    title: str
    setup: str  # the sizes and configuration of this run
    figures: list[tuple[str, str]] = field(default_factory=list)
    ratios: list[Ratio] = field(default_factory=list)
    checks: dict[str, bool] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what the figures mean, from the figures

    def figure(self, name: str, value: str) -> None:
        self.figures.append((name, value))

    def ratio(self, name: str, value: float, goal: str = "", met: bool | None = None) -> None:
        self.ratios.append(Ratio(name, value, goal, met))

    def note(self, text: str) -> None:
        self.notes.append(text)

    def check(self, name: str, passed: bool) -> None:
        self.checks[name] = bool(passed)

    @property
    def passed(self) -> bool:
        return all(self.checks.values())

    def emit(self) -> None:
        print(PREFIX + json.dumps(asdict(self), ensure_ascii=False), flush=True)


def parse(output: str) -> dict | None:
    """The last summary line in a benchmark's output, or None when it printed none."""
    for line in reversed(output.splitlines()):
        if line.startswith(PREFIX):
            return json.loads(line[len(PREFIX) :])
    return None
