"""Test helpers: make ``gov_source`` return given fake instances (still logged as GovQuery).

    with use_fakes({"civil_affairs": FakeCivilAffairs(marriages={...}),
                    "real_estate": FakeRealEstate(unavailable=True)}):
        ...  # gov_source("civil_affairs", ...) now answers from the fake

Sources not named keep their configured implementation. The override is process-wide (worker
threads see it), so tests using it must not run concurrently in one process. It is also
available as a pytest fixture by wrapping it: ``with use_fakes(...)`` inside the test.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from . import ports, registry


@contextmanager
def use_fakes(fakes: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    unknown = set(fakes) - set(ports.PORTS)
    if unknown:
        raise ValueError(f"unknown government sources: {', '.join(sorted(unknown))}")
    with registry._overrides_lock:
        saved = dict(registry._overrides)
        registry._overrides.update(fakes)
    try:
        yield fakes
    finally:
        with registry._overrides_lock:
            registry._overrides.clear()
            registry._overrides.update(saved)


def all_fakes(**fakes: Any) -> dict[str, Any]:
    """Every source as an empty fake, with the given ones (by name) replacing them."""
    from .fakes import FAKES

    out = {name: cls() for name, cls in FAKES.items()}
    out.update(fakes)
    return out
