"""The UNKNOWN marker: a fact that a data source could not supply.

UNKNOWN is a singleton with no truth value and no ordering: ``if facts.retired:`` or
``facts.balance > 0`` on an UNKNOWN raises ``TypeError`` instead of quietly deciding. The engine
turns such a slip into a referral (see :func:`approvals.engine.evaluate`), so a missing source can
never reject a citizen by accident. Test for it explicitly with :func:`is_unknown`.
"""

from typing import Any

UNKNOWN_MARKER = {"unknown": True}


class Unknown:
    """The type of :data:`UNKNOWN`; there is exactly one instance."""

    _instance: "Unknown | None" = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        raise TypeError("UNKNOWN has no truth value: test it with is_unknown()")

    def __reduce__(self) -> str:
        # Unpickling yields the singleton, so identity checks keep working across processes.
        return "UNKNOWN"

    def __copy__(self) -> "Unknown":
        return self

    def __deepcopy__(self, memo) -> "Unknown":
        return self

    def to_json(self) -> dict[str, bool]:
        return dict(UNKNOWN_MARKER)


UNKNOWN = Unknown()


def is_unknown(value: Any) -> bool:
    return value is UNKNOWN


def any_unknown(*values: Any) -> bool:
    return any(value is UNKNOWN for value in values)


def is_unknown_marker(value: Any) -> bool:
    """Whether a decoded JSON value is the marker that stands for UNKNOWN."""
    return isinstance(value, dict) and value == UNKNOWN_MARKER
