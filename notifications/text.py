"""Message text in the reader's language: translatable message ids and parameters rendered late.

A call site writes English message ids (``gettext_lazy``) and hands the values over as
parameters; :func:`notifications.services.notify` renders them under the person's language and
stores the result. So a message is worded by the catalogue, not by the code that sends it, and a
Chinese reader sees the same words as before while an English reader sees English.

Parameters are rendered in the reader's language too: a lazy string or a :class:`Text` is
translated, a :class:`Day`, :class:`Month` or :class:`Moment` is written the Chinese way in
Chinese (2026年11月27日) and as "27 Nov 2026" in English, :class:`Both` picks the stored
Chinese or English of a text kept in both (the rule engine's reasons). Amounts are passed
through :func:`yuan` (grouped, "1,800.00"); the unit 元 / yuan belongs to the message id.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime

from django.conf import settings
from django.utils import timezone, translation
from django.utils.functional import Promise

from core.money import format_yuan

#: A Chinese character (CJK unified ideographs): what an English message must not contain but in names.
CHINESE_CHARACTER = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def is_chinese() -> bool:
    """Whether the active language is Chinese (the default when none is active)."""
    return (translation.get_language() or settings.LANGUAGE_CODE).startswith("zh")


def known_language(code: str | None) -> str:
    """``code`` if the portal speaks it, else the portal's default (Chinese)."""
    return code if code and code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def language_of(person) -> str:
    """The language ``person`` reads messages in: theirs if the portal has it, else the default."""
    return known_language(getattr(person, "language", ""))


def render(value, params: Mapping | None = None) -> str:
    """``value`` as text in the active language, with ``params`` (rendered likewise) filled in.

    A plain ``str`` without ``params`` is returned as it is: text a caller already wrote.
    """
    text = str(value)
    if params:
        text = text % {name: param_value(item) for name, item in params.items()}
    return text


def param_value(value):
    """A parameter in the active language: numbers as they are, everything else as its text."""
    # Numbers keep their type (a message id may format them, %(count)d); the rest becomes text.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return str(value)


def yuan(fen: int) -> str:
    """``180000`` → ``"1,800.00"``: grouped as the pages show amounts; the message says 元 / yuan."""
    whole, cents = format_yuan(fen).split(".")
    sign = "-" if whole.startswith("-") else ""
    return f"{sign}{abs(int(whole)):,}.{cents}"


class Text:
    """A translatable message id and its parameters, rendered when turned into text."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str | Promise, /, **params):
        self.msgid, self.params = msgid, params

    def __str__(self) -> str:
        return render(self.msgid, self.params)

    def __repr__(self) -> str:
        return f"Text({str(self.msgid)!r}, {self.params!r})"


class Day:
    """A calendar day: 2026年11月27日 in Chinese, 27 Nov 2026 in English."""

    __slots__ = ("value",)

    def __init__(self, value: date | datetime):
        self.value = timezone.localdate(value) if isinstance(value, datetime) else value

    def __str__(self) -> str:
        day = self.value
        if is_chinese():
            return f"{day.year}年{day.month}月{day.day}日"
        return f"{day.day} {ENGLISH_MONTHS[day.month - 1]} {day.year}"


class Month:
    """A month (a deposit period): 2026年10月 in Chinese, Oct 2026 in English."""

    __slots__ = ("value",)

    def __init__(self, value: date):
        self.value = value

    def __str__(self) -> str:
        if is_chinese():
            return f"{self.value.year}年{self.value.month}月"
        return f"{ENGLISH_MONTHS[self.value.month - 1]} {self.value.year}"


class Moment:
    """A local time: 2026年11月27日09:30 in Chinese, 27 Nov 2026 09:30 in English."""

    __slots__ = ("value",)

    def __init__(self, value: datetime):
        self.value = timezone.localtime(value)

    def __str__(self) -> str:
        day = Day(self.value.date())
        clock = f"{self.value.hour:02d}:{self.value.minute:02d}"
        return f"{day}{clock}" if is_chinese() else f"{day} {clock}"


class Both:
    """A text kept in both languages (``{"zh_hans": …, "en": …}``): the reader's, else the other."""

    __slots__ = ("en", "zh_hans")

    def __init__(self, zh_hans: str = "", en: str = ""):
        self.zh_hans, self.en = zh_hans or "", en or ""

    @classmethod
    def of(cls, stored: Mapping | str) -> Both:
        if isinstance(stored, str):
            return cls(stored, stored)
        return cls(stored.get("zh_hans") or "", stored.get("en") or "")

    def __str__(self) -> str:
        if is_chinese():
            return self.zh_hans or self.en
        return self.en or self.zh_hans


class Sentences:
    """Texts as sentences one after another: each closed by 。 in Chinese, by . and a space in English."""

    __slots__ = ("parts",)

    def __init__(self, parts: Iterable):
        self.parts = tuple(parts)

    def __str__(self) -> str:
        texts = [str(part).strip() for part in self.parts]
        texts = [text for text in texts if text]
        if is_chinese():
            return "".join(text if text.endswith(("。", "！", "？")) else f"{text}。" for text in texts)
        return " ".join(text if text.endswith((".", "!", "?")) else f"{text}." for text in texts)


class Join:
    """Parts of one sentence: side by side in Chinese, separated by a space in English."""

    __slots__ = ("parts",)

    def __init__(self, *parts):
        self.parts = parts

    def __str__(self) -> str:
        texts = [str(part) for part in self.parts]
        texts = [text for text in texts if text]
        return "".join(texts) if is_chinese() else " ".join(texts)
