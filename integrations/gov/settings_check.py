"""Validation of ``GOV_SOURCES`` for production settings (importable without Django set up)."""

from __future__ import annotations

import json

from .ports import SOURCE_NAMES

# Path fragments of implementations that must never answer in production.
REFUSED_FRAGMENTS = (".sandbox.", ".fakes.", ".testing.")


def gov_sources_problems(sources: object) -> list[str]:
    """What is wrong with a production ``GOV_SOURCES`` mapping; empty when it is acceptable."""
    if not isinstance(sources, dict):
        return ["GOV_SOURCES must map each source name to a dotted class path"]
    problems = []
    missing = [name for name in SOURCE_NAMES if name not in sources]
    if missing:
        problems.append(f"GOV_SOURCES lacks {', '.join(missing)}")
    for name, path in sorted(sources.items()):
        if not isinstance(path, str) or not path:
            problems.append(f"GOV_SOURCES[{name!r}] must be a dotted class path")
        elif any(fragment in f".{path}." for fragment in REFUSED_FRAGMENTS):
            problems.append(
                f"GOV_SOURCES[{name!r}] is {path}: sandbox and fake sources are for development "
                "and tests only"
            )
    return problems


def gov_sources_from_json(text: str, *, default: dict[str, str]) -> tuple[dict, list[str]]:
    """``GOV_SOURCES_JSON`` overrides the default per source; returns (sources, problems)."""
    if not text.strip():
        return dict(default), []
    try:
        given = json.loads(text)
    except json.JSONDecodeError as exc:
        return dict(default), [f"GOV_SOURCES_JSON is not valid JSON ({exc.msg})"]
    if not isinstance(given, dict):
        return dict(default), ["GOV_SOURCES_JSON must be a JSON object of source name → class path"]
    return {**default, **given}, []
