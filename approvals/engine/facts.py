"""Base for frozen fact dataclasses: type checks on construction and a lossless JSON form.

A facts class is ``@dataclass(frozen=True, kw_only=True)`` over :class:`Facts`, with fields of
these types: ``int``, ``bool``, ``str``, ``date``, ``tuple[X, ...]``, another facts class, and
unions of them with ``None`` and :class:`~approvals.engine.unknown.Unknown`. A field whose type
admits ``Unknown`` comes from an outside source and may be :data:`UNKNOWN`.

JSON: dates as ISO strings, tuples as lists, nested facts as objects, UNKNOWN as
``{"unknown": true}``. ``from_json(to_json(f)) == f`` for every valid ``f``.
"""

import types
import typing
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from typing import Any, Self

from approvals.engine.unknown import UNKNOWN, Unknown, is_unknown_marker


class InvalidFacts(ValueError):
    """A facts object was built, or a JSON document decoded, with a value of the wrong type."""


def _union_args(tp) -> tuple | None:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return typing.get_args(tp)
    return None


def _conforms(tp, value) -> bool:
    args = _union_args(tp)
    if args is not None:
        return any(_conforms(arg, value) for arg in args)
    if tp is type(None):
        return value is None
    if tp is Unknown:
        return value is UNKNOWN
    if tp is bool:
        return isinstance(value, bool)
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if tp is str:
        return isinstance(value, str)
    if tp is date:
        return isinstance(value, date) and not isinstance(value, datetime)
    if typing.get_origin(tp) is tuple:
        (item_type, _ellipsis) = typing.get_args(tp)
        return isinstance(value, tuple) and all(_conforms(item_type, item) for item in value)
    if isinstance(tp, type) and issubclass(tp, Facts):
        return isinstance(value, tp)
    raise TypeError(f"unsupported fact type {tp!r}")


def _encode(value):
    if value is UNKNOWN:
        return UNKNOWN.to_json()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_encode(item) for item in value]
    if isinstance(value, Facts):
        return value.to_json()
    return value


def _decode(tp, raw):
    args = _union_args(tp)
    if args is not None:
        errors = []
        for arg in args:
            try:
                return _decode(arg, raw)
            except InvalidFacts as error:
                errors.append(str(error))
        raise InvalidFacts(f"{raw!r} matches none of {tp!r}")
    if tp is Unknown:
        if is_unknown_marker(raw):
            return UNKNOWN
    elif tp is type(None):
        if raw is None:
            return None
    elif tp is date:
        if isinstance(raw, str) and len(raw) == 10:
            try:
                return date.fromisoformat(raw)
            except ValueError:
                pass
    elif typing.get_origin(tp) is tuple:
        if isinstance(raw, list):
            (item_type, _ellipsis) = typing.get_args(tp)
            return tuple(_decode(item_type, item) for item in raw)
    elif isinstance(tp, type) and issubclass(tp, Facts):
        if isinstance(raw, dict) and not is_unknown_marker(raw):
            return tp.from_json(raw)
    elif _conforms(tp, raw):
        return raw
    raise InvalidFacts(f"{raw!r} is not a {tp!r}")


def _admits_unknown(tp) -> bool:
    args = _union_args(tp)
    return args is not None and Unknown in args


class Facts:
    """Mixin for fact dataclasses (see the module docstring)."""

    def __post_init__(self):
        hints = typing.get_type_hints(type(self))
        for field in fields(self):
            value = getattr(self, field.name)
            if not _conforms(hints[field.name], value):
                raise InvalidFacts(
                    f"{type(self).__name__}.{field.name} = {value!r} is not a {hints[field.name]!r}"
                )

    def to_json(self) -> dict[str, Any]:
        return {field.name: _encode(getattr(self, field.name)) for field in fields(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        if not isinstance(data, dict):
            raise InvalidFacts(f"{cls.__name__} expects an object, got {data!r}")
        hints = typing.get_type_hints(cls)
        names = {field.name for field in fields(cls)}
        extra = set(data) - names
        if extra:
            raise InvalidFacts(f"{cls.__name__} has no fields {sorted(extra)}")
        values = {name: _decode(hints[name], raw) for name, raw in data.items()}
        try:
            return cls(**values)
        except TypeError as error:  # a required field is missing
            raise InvalidFacts(f"{cls.__name__}: {error}") from error

    @classmethod
    def external_fields(cls) -> tuple[str, ...]:
        """The fields that come from an outside source and so may be UNKNOWN."""
        hints = typing.get_type_hints(cls)
        return tuple(field.name for field in fields(cls) if _admits_unknown(hints[field.name]))


def is_facts_class(cls) -> bool:
    return isinstance(cls, type) and issubclass(cls, Facts) and is_dataclass(cls)
